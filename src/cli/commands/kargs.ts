import { defineCommand } from 'citty';
import { cliCommand, ExitCode, type CliContext } from '../cli-context.js';
import { REBOOT_FLAG } from '../flags/common-flags.js';
import { paramsFrom } from '../flags/schema-flags.js';
import { editKernelArgs, editsBetween } from '../kargs-editor.js';
import { importableCmdline, readProcCmdline, splitCmdline } from '../proc-cmdline.js';
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
    deployment: { flag: 'deploy-index', note: 'an index from apt-ostree status -v; without an edit, its arguments are shown' },
  },
  {
    'import-proc-cmdline': {
      type: 'boolean',
      description: "Start from the running kernel's command line (/proc/cmdline, without the bootloader's BOOT_IMAGE=/initrd=) instead of the deployment's",
    },
    editor: { type: 'boolean', description: 'Edit the arguments in $VISUAL / $EDITOR' },
    'unchanged-exit-77': { type: 'boolean', description: 'Exit with 77 when the edits change nothing (e.g. --append-if-missing of a present argument)' },
  },
);

/** What OS.GetDeploymentBootConfig answers (and `kargs --json` prints). */
interface BootConfig {
  options: string;
  staged: boolean;
}

/** The OS.KernelArgs fields the edit options fill. */
const EDIT_FIELDS = ['append', 'replace', 'delete', 'appendIfMissing', 'deleteIfPresent'];

/**
 * The arguments the edits start from: the next boot's (rpm-ostree's `kargs`), deployment N's
 * with --deploy-index, read through OS.GetDeploymentBootConfig — a read, open to every user.
 */
async function deploymentBootConfig(ctx: CliContext, os: string | undefined, deployment: string | undefined): Promise<BootConfig> {
  const client = await ctx.connect();
  try {
    const r = await client.call<{ bootconfig: BootConfig }>('OS.GetDeploymentBootConfig', {
      ...(os === undefined ? {} : { osname: os }),
      ...(deployment === undefined ? { isPending: true } : { deployment }),
    });
    return r.bootconfig;
  } finally {
    client.close();
  }
}

/**
 * `apt-ostree kargs [--append K=V] [--replace K=V] [--delete K[=V]] [--append-if-missing K]
 * [--delete-if-present K] [--editor] [--deploy-index=N | --import-proc-cmdline]`.
 */
export const kargs = cliCommand({
  definition: defineCommand({ meta: { name: 'kargs', description: 'Show or change the kernel arguments (a new deployment)' }, args }),
  methods: ['OS.KernelArgs', 'OS.GetDeploymentBootConfig', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (parsed, ctx) => {
    const params = paramsFrom(args, parsed, ctx.rawArgs);
    const usage = (message: string): number => {
      ctx.io.stderr.write(`apt-ostree kargs: ${message}\n`);
      return ExitCode.Usage;
    };
    const fromProc = parsed['import-proc-cmdline'] === true;
    if (fromProc && (params.deployment !== undefined || params.osname !== undefined)) {
      return usage('--import-proc-cmdline cannot be combined with --deploy-index or --os');
    }
    if (params.deployment !== undefined && !/^[0-9]{1,3}$/.test(params.deployment as string)) {
      return usage('--deploy-index takes an index from `apt-ostree status` (0 is the first deployment)');
    }
    const edits = EDIT_FIELDS.some((field) => field in params);
    if (parsed.editor === true && edits) return usage('--editor cannot be combined with other edits');
    if (fromProc) {
      // The daemon applies the edits to this line instead of a deployment's.
      delete params.deployment;
      params.baseKernelArgs = importableCmdline((ctx.io.procCmdline ?? readProcCmdline)());
    }
    const start = (): Promise<BootConfig> =>
      fromProc
        ? Promise.resolve({ options: params.baseKernelArgs as string, staged: false })
        : deploymentBootConfig(ctx, parsed.os, params.deployment as string | undefined);
    if (parsed.editor === true) {
      const before = splitCmdline((await start()).options);
      const edited = editKernelArgs(before, ctx.io.env);
      if ('error' in edited) {
        ctx.io.stderr.write(`apt-ostree kargs: ${edited.error}\n`);
        return ExitCode.Failed;
      }
      const { existingKernelArgString, ...changes } = editsBetween(before, edited.args);
      if (changes.delete.length === 0 && changes.append.length === 0) {
        ctx.io.stdout.write('Kernel arguments not changed.\n');
        return parsed['unchanged-exit-77'] === true ? ExitCode.Unchanged : ExitCode.Ok;
      }
      // The guard against concurrent changes compares with a deployment's arguments, not /proc/cmdline.
      Object.assign(params, changes, fromProc ? {} : { existingKernelArgString });
    } else if (!edits) {
      if (parsed.reboot === true) return usage('--reboot needs an edit: nothing changes without one');
      const bootconfig = await start();
      ctx.io.stdout.write(parsed.json === true ? `${JSON.stringify({ bootconfig }, null, 2)}\n` : `${bootconfig.options}\n`);
      return ExitCode.Ok;
    }
    const unchanged77 =
      parsed['unchanged-exit-77'] === true ? (r: Record<string, unknown>) => (r.changed === false ? ExitCode.Unchanged : ExitCode.Ok) : undefined;
    return runTransaction(ctx, 'OS.KernelArgs', params, parsed.json === true, { exitCodeOfResult: unchanged77 });
  },
});
