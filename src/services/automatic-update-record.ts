/**
 * When OS.AutomaticUpdateTrigger last ran (the timer's runs), in `<state-dir>/automatic-update.json`,
 * for `status` to show.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface AutomaticUpdateRun {
  /** ISO 8601. */
  at: string;
  mode: 'none' | 'check' | 'stage';
  transaction: string | null;
}

const FILE = 'automatic-update.json';

export function writeAutomaticUpdateRun(stateDir: string, run: AutomaticUpdateRun): void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(run) + '\n', { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

export function readAutomaticUpdateRun(stateDir: string): AutomaticUpdateRun | null {
  try {
    const r = JSON.parse(readFileSync(join(stateDir, FILE), 'utf8')) as AutomaticUpdateRun;
    return typeof r.at === 'string' && ['none', 'check', 'stage'].includes(r.mode) ? r : null;
  } catch {
    return null;
  }
}
