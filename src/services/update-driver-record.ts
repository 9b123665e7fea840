/**
 * The registered driver of automatic updates (rpm-ostree's `register-driver`: a program such
 * as an update agent says it drives updates, and status shows its name), in
 * `<state-dir>/update-driver.json`.
 */
import { stateJsonFile } from './state-json-file.js';

export interface UpdateDriver {
  name: string;
  /** ISO 8601. */
  registeredAt: string;
}

const file = stateJsonFile<UpdateDriver>('update-driver.json', (d) => typeof d.name === 'string' && typeof d.registeredAt === 'string');

export const writeUpdateDriver = (stateDir: string, driver: UpdateDriver): void => file.write(stateDir, driver);
export const readUpdateDriver = (stateDir: string): UpdateDriver | null => file.read(stateDir);
