import { defineCommand } from 'citty';
import type { Deployment } from '../../api/types/deployment.js';
import { cliCommand, ExitCode } from '../cli-context.js';
import { editKernelArgs, editsBetween } from '../kargs-editor.js';
import { runTransaction } from '../transaction-runner.js';
import { DEPLOYMENT_ARGS, transactionOptions } from './transaction-args.js';

/** Options that may repeat, and the OS.KernelArgs field each fills. */
const EDITS = {
  append: 'append',
  replace: 'replace',
  delete: 'delete',
  'append-if-missing': 'appendIfMissing',
  'delete-if-present': 'deleteIfPresent',
} as const;

/** Every value of a repeatable `--name VALUE` / `--name=VALUE` option, in order. */
export function repeated(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    if (rawArgs[i] === `--${name}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]);
    else if (rawArgs[i].startsWith(`--${name}=`)) values.push(rawArgs[i].slice(name.length + 3));
  }
  return values;
}

/** `apt-ostree kargs [--append K=V] [--replace K=V] [--delete K[=V]] [--append-if-missing K] [--delete-if-present K]`. */
export const kargs = cliCommand({
  definition: defineCommand({
    meta: { name: 'kargs', description: 'Show or change the kernel arguments (a new deployment)' },
    args: {
      ...DEPLOYMENT_ARGS,
      append: { type: 'string', description: 'Add an argument (repeatable)' },
      replace: { type: 'string', description: 'KEY=VALUE or KEY=OLD=NEW (repeatable)' },
      delete: { type: 'string', description: 'Remove an argument; an error if absent (repeatable)' },
      'append-if-missing': { type: 'string', description: 'Add unless present (repeatable)' },
      'delete-if-present': { type: 'string', description: 'Remove if present (repeatable)' },
      editor: { type: 'boolean', description: 'Edit the arguments in $VISUAL / $EDITOR' },
    },
  }),
  methods: ['OS.KernelArgs', 'Sysroot.GetDeployments', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    const params: Record<string, unknown> = {};
    for (const [option, field] of Object.entries(EDITS)) {
      const values = repeated(ctx.rawArgs, option);
      if (values.length > 0) params[field] = values;
    }
    if (args.editor === true) {
      if (Object.keys(params).length > 0) {
        ctx.io.stderr.write('apt-ostree kargs: --editor cannot be combined with other edits\n');
        return ExitCode.Usage;
      }
      const client = await ctx.connect();
      let current: Deployment | undefined;
      try {
        const { deployments } = await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments');
        const os = args.os ?? deployments.find((d) => d.booted)?.osname ?? deployments[0]?.osname;
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
    Object.assign(params, transactionOptions(args));
    // Without an edit the transaction only reports the current arguments.
    return runTransaction(ctx, 'OS.KernelArgs', params, args.json === true);
  },
});
