import { METHODS } from '../api/method-table.js';
import { actionId } from '../api/polkit-actions.js';

/**
 * The table of which method needs which polkit action in docs/operating.md, generated from the
 * method table (a test checks the page holds exactly this text).
 */
export function authorizationTable(): string {
  const rows = METHODS.filter((m) => m.action !== null).map((m) => {
    const action =
      m.selectAction !== undefined
        ? 'one of `rebase`, `deploy`, `install-uninstall-packages`, `upgrade`, by its modifiers'
        : `\`${actionId(m.action as NonNullable<typeof m.action>)}\``;
    const note = m.name === 'Transaction.Cancel' ? ' (not needed to cancel your own)' : '';
    return `| \`${m.name}\` | ${action}${note} |`;
  });
  return ['| Method | polkit action |', '|---|---|', ...rows].join('\n') + '\n';
}
