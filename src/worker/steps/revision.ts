/**
 * A Deploy revision, read as rpm-ostree's parse_revision reads it: an explicit
 * `revision=CHECKSUM` or `version=VERSION` prefix (case-insensitive), else a 64-hex string is
 * a checksum and anything else a version.
 */
import { OperationError } from '../operation-context.js';

/** What a revision names. */
export type Revision = { kind: 'checksum'; value: string } | { kind: 'version'; value: string };

const CHECKSUM = /^[0-9a-f]{64}$/;

/** Parses `revision`; an empty one, or `revision=` with something else than a checksum, fails. */
export function parseRevision(revision: string): Revision {
  const eq = revision.indexOf('=');
  if (eq >= 0) {
    const prefix = revision.slice(0, eq).toLowerCase();
    const value = revision.slice(eq + 1);
    if (prefix === 'revision') {
      if (!CHECKSUM.test(value)) throw new OperationError('Failed', `Invalid checksum in revision '${revision}'`);
      return { kind: 'checksum', value };
    }
    if (prefix === 'version') {
      if (value === '') throw new OperationError('Failed', `Empty version in revision '${revision}'`);
      return { kind: 'version', value };
    }
  }
  if (revision === '') throw new OperationError('Failed', 'Empty revision');
  return CHECKSUM.test(revision) ? { kind: 'checksum', value: revision } : { kind: 'version', value: revision };
}
