/**
 * OS.ClearRollbackTarget: removes the rollback deployment — Cleanup's `rollback-deploy`, as
 * rpm-ostree's method of that name (a pinned or booted rollback deployment is kept, and said so).
 */
import { defineOperation } from '../define-operation.js';
import { cleanup } from './cleanup.js';

export default defineOperation({
  method: 'OS.ClearRollbackTarget',
  title: () => 'clear-rollback',
  run: (ctx) => cleanup(ctx, { elements: ['rollback-deploy'] }),
});
