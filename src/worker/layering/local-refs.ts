/**
 * The refs that keep local .deb files in the repository (`aptostree/local/<name>/<sha256>`,
 * local-debs.ts) for as long as some deployment's origin names the file: layered
 * (`[packages] requested-local`) or replacing a base package (`[overrides] replace-local`).
 * Cleanup `base` removes the others, and the prune that follows frees their objects.
 */
import { originText } from '../../backends/ostree/write/deployment-writer.js';
import { readRefs } from '../../backends/ostree/write/ref-snapshot.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';
import { parseOrigin } from '../../backends/ostree/origin-file.js';
import { localRef, parseLocalEntry } from './local-debs.js';

export const LOCAL_REF_PREFIX = 'aptostree/local/';

/** The local-package refs no deployment (of any stateroot, staged included) uses. */
export function unusedLocalRefs(session: SysrootSession): string[] {
  const used = new Set<string>();
  for (const d of session.deployments()) {
    const text = originText(d.ptr);
    if (text === null) continue;
    const origin = parseOrigin(text);
    for (const entry of [...origin.requestedLocal, ...origin.overrideReplaceLocal]) used.add(localRef(parseLocalEntry(entry)));
  }
  return Object.keys(readRefs(session.repoPath))
    .filter((ref) => ref.startsWith(LOCAL_REF_PREFIX) && !used.has(ref))
    .sort();
}
