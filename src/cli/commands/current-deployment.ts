import type { ResultOf } from '../../api/method-types.js';
import { ExitCode, type CliContext } from '../cli-context.js';

type CurrentDeployment = ResultOf<'OS.GetProperties'>['defaultDeployment'];

/**
 * What a state verb (`initramfs`, `initramfs-etc`) prints when it is given nothing to change:
 * `render` of the OS's current deployment (the booted one, else the default; null: none).
 */
export async function showCurrentDeployment(ctx: CliContext, osname: string | undefined, render: (d: CurrentDeployment) => string): Promise<number> {
  const client = await ctx.connect();
  try {
    const os = await client.call<ResultOf<'OS.GetProperties'>>('OS.GetProperties', osname !== undefined ? { osname } : {});
    ctx.io.stdout.write(render(os.bootedDeployment ?? os.defaultDeployment));
    return ExitCode.Ok;
  } finally {
    client.close();
  }
}
