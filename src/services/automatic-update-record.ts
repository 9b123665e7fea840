/**
 * When OS.AutomaticUpdateTrigger last ran (the timer's runs), in `<state-dir>/automatic-update.json`,
 * for `status` to show.
 */
import { stateJsonFile } from './state-json-file.js';

interface AutomaticUpdateRun {
  /** ISO 8601. */
  at: string;
  mode: 'none' | 'check' | 'stage';
  transaction: string | null;
}

const file = stateJsonFile<AutomaticUpdateRun>('automatic-update.json', (r) => typeof r.at === 'string' && ['none', 'check', 'stage'].includes(r.mode));

export const writeAutomaticUpdateRun = (stateDir: string, run: AutomaticUpdateRun): void => file.write(stateDir, run);
export const readAutomaticUpdateRun = (stateDir: string): AutomaticUpdateRun | null => file.read(stateDir);
