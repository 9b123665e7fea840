/** Options every verb that starts a transaction takes. */
export const TRANSACTION_ARGS = {
  os: { type: 'string', description: 'Stateroot to act on (default: the booted one)' },
  json: { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' },
} as const;

/** The same, plus `--reboot` for verbs that write a new default deployment. */
export const DEPLOYMENT_ARGS = {
  ...TRANSACTION_ARGS,
  reboot: { type: 'boolean', description: 'Reboot after success' },
} as const;

/** The same, plus `--lock-finalization` for verbs that make a new deployment (staged when booted). */
export const NEW_DEPLOYMENT_ARGS = {
  ...DEPLOYMENT_ARGS,
  'lock-finalization': {
    type: 'boolean',
    description: 'On a booted system, keep the staged deployment until `apt-ostree finalize-deployment`',
  },
} as const;

/** The same, plus where the new commit comes from: `--cache-only`, `--download-only`. */
export const FETCHING_DEPLOYMENT_ARGS = {
  ...NEW_DEPLOYMENT_ARGS,
  'cache-only': { type: 'boolean', description: 'Fetch nothing: use what the local repository has' },
  'download-only': { type: 'boolean', description: 'Fetch, but do not deploy' },
} as const;

/** The request fields `--lock-finalization`, `--cache-only` and `--download-only` set. */
export function stagingOptions(args: {
  'lock-finalization'?: boolean;
  'cache-only'?: boolean;
  'download-only'?: boolean;
}): Record<string, unknown> {
  return {
    ...(args['lock-finalization'] === true ? { lockFinalization: true } : {}),
    ...(args['cache-only'] === true ? { cacheOnly: true } : {}),
    ...(args['download-only'] === true ? { downloadOnly: true } : {}),
  };
}

/** The request fields those options set. */
export function transactionOptions(args: { os?: string; reboot?: boolean }): Record<string, unknown> {
  return { ...(args.reboot === true ? { reboot: true } : {}), ...(args.os !== undefined ? { osname: args.os } : {}) };
}
