/** OS.ApplyLive: the running system gets a deployment's /usr without a reboot (steps/apply-live.ts). */
import { ApiError } from '../../api/errors.js';
import { defineOperation } from '../define-operation.js';
import { applyLive } from '../steps/apply-live.js';
import { refuseApplyLive } from '../steps/then-apply-live.js';

export default defineOperation({
  method: 'OS.ApplyLive',
  title: (p) =>
    [
      'apply-live',
      ...(p.reset === true ? ['--reset'] : []),
      ...(p.target !== undefined ? [`--target=${p.target}`] : []),
      ...(p.allowReplacement === true ? ['--allow-replacement'] : []),
    ].join(' '),
  precheck: (ctx, p) => {
    if (p.reset === true && p.target !== undefined) throw new ApiError('Failed', 'reset and target exclude each other');
    refuseApplyLive(ctx, {});
  },
  run: async (ctx, p) => {
    const r = await applyLive(ctx, p);
    return { changed: r.changed, liveCommit: r.liveCommit, message: r.message };
  },
});
