/** UpdateDeployment's `registerDriver`: records the caller as the driver of automatic updates. */
import { writeUpdateDriver } from '../../services/update-driver-record.js';
import type { OperationContext } from '../operation-context.js';

export function registerUpdateDriver(ctx: OperationContext, name: string): void {
  writeUpdateDriver(ctx.config.stateDir, { name, registeredAt: new Date().toISOString() });
  ctx.emit({ type: 'Message', text: `Registered ${name} as the driver of automatic updates` });
}
