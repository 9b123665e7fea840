/**
 * OS.KernelArgs: a new deployment of the default deployment's commit with edited kernel
 * arguments (rpm-ostree's behaviour), or, with no edit, a report of the current ones.
 */
import { editKernelArgs, KernelArgsError } from '../../backends/ostree/write/kernel-args.js';
import { originText } from '../../backends/ostree/write/deployment-writer.js';
import { libostree } from '../../backends/ostree/libostree.js';
import { splitKernelCmdline } from '../../backends/ostree/kernel-cmdline.js';
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deployCommit } from '../steps/deploy-commit.js';
import { requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import type { DeploymentRef, SysrootSession } from '../../backends/ostree/write/session.js';
import { withSysroot } from '../steps/sysroot-session.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';
import { JsonRpcCode, ProtocolError } from '../../api/errors.js';

const normalize = (cmdline: string) => splitKernelCmdline(cmdline).join(' ');

/** The `options` line of a deployment's boot entry. */
function optionsOf(d: DeploymentRef): string {
  const bootconfig = libostree().ostree_deployment_get_bootconfig(d.ptr);
  return (bootconfig === null ? null : libostree().ostree_bootconfig_parser_get(bootconfig, 'options')) ?? '';
}

/** The deployment `deployment` names (an id, or an index in the boot order) among the OS's. */
function namedDeployment(session: SysrootSession, osname: string, deployment: string): DeploymentRef {
  const all = session.deployments();
  const d = /^[0-9]+$/.test(deployment) ? all[Number(deployment)] : all.find((x) => x.id === deployment);
  if (d === undefined) throw new OperationError('NoSuchDeployment', `No deployment ${deployment}`);
  if (d.osname !== osname) throw new OperationError('NoSuchDeployment', `Deployment ${deployment} is not one of stateroot '${osname}'`);
  return d;
}

export async function kernelArgs(ctx: OperationContext, params: ParamsOf<'OS.KernelArgs'>): Promise<OperationResult & { kernelArgs: string[] }> {
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const current = optionsOf(base);
    // What the edits start from: another deployment's arguments, a given line (the running
    // kernel's), else the default deployment's. The new deployment is the default's either way.
    const from = params.baseKernelArgs ?? (params.deployment === undefined ? current : optionsOf(namedDeployment(session, ctx.osname, params.deployment)));
    if (params.existingKernelArgString !== undefined && normalize(params.existingKernelArgString) !== normalize(from)) {
      throw new OperationError('Failed', `The kernel arguments changed since they were read; they are now: ${from}`);
    }
    if (params.finalKernelArgs === undefined && EDITS.every((k) => (params[k] ?? []).length === 0)) {
      // No edit: a report of the arguments asked about, nothing written.
      return { changed: false, deployment: null, message: `Kernel arguments: ${from}`, kernelArgs: splitKernelCmdline(from) };
    }
    let edited: string;
    try {
      // finalKernelArgs: the whole new line (rpm-ostree's `kargs --editor` sends it), else the edits.
      edited = params.finalKernelArgs ?? editKernelArgs(from, params);
    } catch (e) {
      if (e instanceof KernelArgsError) throw new OperationError('Failed', e.message);
      throw e;
    }
    if (normalize(edited) === normalize(current)) {
      return { changed: false, deployment: null, message: `Kernel arguments: ${current}`, kernelArgs: splitKernelCmdline(current) };
    }
    const origin = originText(base.ptr) ?? '';
    const result = await deployCommit(ctx, session, {
      target: requireCommit(session, base.checksum),
      base,
      baseOriginText: origin,
      // Same commit: keep a pin to it if the origin had one.
      overrideCommit: /^override-commit=/m.test(origin) ? base.checksum : null,
      verb: 'New kernel arguments for',
      kernelArgs: edited,
      lockFinalization: params.lockFinalization,
    });
    return { ...result, kernelArgs: splitKernelCmdline(edited) };
  });
}

const EDITS = ['append', 'replace', 'delete', 'appendIfMissing', 'deleteIfPresent'] as const;

export default defineOperation({
  method: 'OS.KernelArgs',
  title: (p) => (p.finalKernelArgs !== undefined ? 'kargs --editor' : ['kargs', ...EDITS.flatMap((k) => (p[k] ?? []).map((a) => `--${k}=${a}`))].join(' ')),
  precheck: (_ctx, p) => {
    if (p.finalKernelArgs !== undefined && EDITS.some((k) => (p[k] ?? []).length > 0)) {
      throw new ProtocolError(JsonRpcCode.InvalidParams, 'finalKernelArgs replaces the whole command line: it cannot be combined with edits');
    }
    if (p.baseKernelArgs !== undefined && (p.deployment !== undefined || p.existingKernelArgString !== undefined)) {
      throw new ProtocolError(
        JsonRpcCode.InvalidParams,
        'baseKernelArgs is the starting line: it cannot be combined with deployment or existingKernelArgString',
      );
    }
  },
  run: kernelArgs,
});
