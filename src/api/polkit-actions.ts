/**
 * The polkit actions: rpm-ostree's action ids, plus the ids docs/design-decisions.md
 * adds. The policy file in polkit/ is generated from this table; methods name their action by key.
 */
export const ACTION_PREFIX = 'org.projectatomic.aptostree.';

export const POLKIT_ACTIONS = {
  'install-uninstall-packages': {
    description: 'Install and remove packages',
    message: 'Authentication is required to install and remove software',
  },
  'install-local-packages': {
    description: 'Install local packages',
    message: 'Authentication is required to install software',
  },
  override: {
    description: 'Override packages',
    message: 'Authentication is required to override base OS software',
  },
  deploy: { description: 'Update base OS', message: 'Authentication is required to update software' },
  upgrade: { description: 'Update base OS', message: 'Authentication is required to update software' },
  rebase: {
    description: 'Switch to a different base OS',
    message: 'Authentication is required to switch to a different base OS',
  },
  rollback: {
    description: 'Rollback OS updates',
    message: 'Authentication is required to roll back software updates',
  },
  bootconfig: {
    description: 'Change boot configuration',
    message: 'Authentication is required to change boot configuration',
  },
  'reload-daemon': {
    description: 'Reload the daemon state',
    message: 'Authentication is required to reload the daemon',
  },
  cleanup: {
    description: 'Clean up system data',
    message: 'Authentication is required to clean up system data',
  },
  'repo-refresh': {
    description: 'Refresh package metadata',
    message: 'Authentication is required to refresh package metadata',
  },
  'finalize-deployment': {
    description: 'Finalize a staged deployment',
    message: 'Authentication is required to finalize a staged deployment',
  },
  cancel: {
    description: "Cancel another user's transaction",
    message: 'Authentication is required to cancel a transaction started by someone else',
  },
} as const;

export type PolkitAction = keyof typeof POLKIT_ACTIONS;

/** Full polkit action id, e.g. `org.projectatomic.aptostree.upgrade`. */
export function actionId(action: PolkitAction): string {
  return ACTION_PREFIX + action;
}
