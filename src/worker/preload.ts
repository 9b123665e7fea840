import { glib } from '../backends/ostree/glib.js';
import { libostree } from '../backends/ostree/libostree.js';
import { writeFfi } from '../backends/ostree/write/ffi.js';

/**
 * Loads libostree and declares every function the operations use, before the operation is
 * known. Failures are left for the operation to report with their real message.
 */
export function preloadLibraries(): void {
  try {
    glib();
    libostree();
    writeFfi();
  } catch {
    // The operation loads them again and fails with the actual error.
  }
}
