/**
 * The base commit of a layered deployment is kept alive by a ref `aptostree/base/<n>`
 * (docs/design-decisions.md): pruning keeps what refs reach, and the layered commit only names its base
 * as parent. Cleanup `base` removes the refs no deployment uses any more.
 */
import { readRefs } from '../../backends/ostree/write/ref-snapshot.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';

export const BASE_REF_PREFIX = 'aptostree/base/';

/** Points a base ref at `checksum` (an existing one if there is one; else the lowest free number). */
export function keepBaseAlive(session: SysrootSession, checksum: string): string {
  const refs = Object.entries(readRefs(session.repoPath)).filter(([r]) => r.startsWith(BASE_REF_PREFIX));
  const existing = refs.find(([, c]) => c === checksum);
  if (existing !== undefined) return existing[0];
  const used = new Set(refs.map(([r]) => r.slice(BASE_REF_PREFIX.length)));
  let n = 0;
  while (used.has(String(n))) n++;
  const ref = `${BASE_REF_PREFIX}${n}`;
  session.setRef(ref, checksum);
  return ref;
}
