/**
 * A failed libostree call of the write path, with the GError's domain and code so callers
 * can tell "not found" from real failures.
 */
import { takeError, type GErrorOut } from '../glib.js';

/** `G_IO_ERROR` codes the write path looks at. */
export const GIoErrorCode = { NOT_FOUND: 1, CANCELLED: 19 } as const;

/** A libostree/GLib failure; `message` is `<what>: <GError message>`. */
export class OstreeCallError extends Error {
  constructor(
    /** What was being done, e.g. `Pulling origin:debian/bookworm/x86_64`. */
    readonly what: string,
    /** The GError message, verbatim. */
    readonly detail: string,
    /** GError domain, e.g. `g-io-error-quark` ('' when unknown). */
    readonly domain = '',
    readonly code = 0,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'OstreeCallError';
  }

  /** True for `G_IO_ERROR_NOT_FOUND`. */
  get notFound(): boolean {
    return this.domain === 'g-io-error-quark' && this.code === GIoErrorCode.NOT_FOUND;
  }
}

/** Throws an OstreeCallError built from `err` when `ok` is 0; frees the GError either way. */
export function check(ok: number, err: GErrorOut, what: string): void {
  const e = takeError(err);
  if (ok === 0) throw new OstreeCallError(what, e?.message ?? 'failed (no error message)', e?.domain, e?.code);
}
