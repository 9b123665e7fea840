import { defineCommand } from 'citty';
import type { DeploymentObject } from '../../api/method-types.js';
import { cliCommand, ExitCode, type CliContext } from '../cli-context.js';
import { REBOOT_FLAG } from '../flags/common-flags.js';
import { paramsFrom } from '../flags/schema-flags.js';
import { editKernelArgs, editsBetween } from '../kargs-editor.js';
import { runTransaction } from '../transaction-runner.js';
import { verbArgs } from './transaction-verb.js';

const args = verbArgs(
  'OS.KernelArgs',
  {
    // rpm-ostree's kargs has no -r.
    reboot: { flag: REBOOT_FLAG.flag },
    append: { flag: 'append' },
    replace: { flag: 'replace' },
    delete: { flag: 'delete' },
    appendIfMissing: { flag: 'append-if-missing' },
    deleteIfPresent: { flag: 'delete-if-present' },
  },
  { editor: { type: 'boolean', description: 'Edit the arguments in $VISUAL / $EDITOR' } },
);

/** The OS.KernelArgs fields the edit options fill. */
const EDIT_FIELDS = ['append', 'replace', 'delete', 'appendIfMissing', 'deleteIfPresent'];

/**
 * Without an edit: the arguments the next boot uses (rpm-ostree's `kargs`), read through
 * OS.GetDeploymentBootConfig — a read, open to every user, no transaction.
 */
async function showKernelArgs(ctx: CliContext, os: string | undefined, json: boolean): Promise<number> {
  const client = await ctx.connect();
  try {
    const r = await client.call<{ bootconfig: { options: string; staged: boolean } }>('OS.GetDeploymentBootConfig', {
      ...(os === undefined ? {} : { osname: os }),
      isPending: true,
    });
    ctx.io.stdout.write(json ? `${JSON.stringify(r, null, 2)}\n` : `${r.bootconfig.options}\n`);
    return ExitCode.Ok;
  } finally {
    client.close();
  }
}

/** `apt-ostree kargs [--append K=V] [--replace K=V] [--delete K[=V]] [--append-if-missing K] [--delete-if-present K] [--editor]`. */
export const kargs = cliCommand({
  definition: defineCommand({ meta: { name: 'kargs', description: 'Show or change the kernel arguments (a new deployment)' }, args }),
  methods: ['OS.KernelArgs', 'OS.GetDeploymentBootConfig', 'Sysroot.GetDeployments', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (parsed, ctx) => {
    const params = paramsFrom(args, parsed, ctx.rawArgs);
    if (parsed.editor === true) {
      if (EDIT_FIELDS.some((field) => field in params)) {
        ctx.io.stderr.write('apt-ostree kargs: --editor cannot be combined with other edits\n');
        return ExitCode.Usage;
      }
      const client = await ctx.connect();
      let current: DeploymentObject | undefined;
      try {
        const { deployments } = await client.call<{ deployments: DeploymentObject[] }>('Sysroot.GetDeployments');
        const os = parsed.os ?? deployments.find((d) => d.booted)?.osname ?? deployments[0]?.osname;
        current = deployments.find((d) => d.osname === os);
      } finally {
        client.close();
      }
      if (current === undefined) {
        ctx.io.stderr.write('apt-ostree kargs: no deployment to edit\n');
        return ExitCode.Failed;
      }
      const edited = editKernelArgs([...current.kernelArgs], ctx.io.env);
      if ('error' in edited) {
        ctx.io.stderr.write(`apt-ostree kargs: ${edited.error}\n`);
        return ExitCode.Failed;
      }
      const edits = editsBetween([...current.kernelArgs], edited.args);
      if (edits.delete.length === 0 && edits.append.length === 0) {
        ctx.io.stdout.write('Kernel arguments not changed.\n');
        return ExitCode.Ok;
      }
      Object.assign(params, edits);
    }
    if (!EDIT_FIELDS.some((field) => field in params)) return showKernelArgs(ctx, parsed.os, parsed.json === true);
    return runTransaction(ctx, 'OS.KernelArgs', params, parsed.json === true);
  },
});
