import { ApiError } from '../api/errors.js';
import { OstreeSysrootReader, SysrootLoadError, type SysrootSnapshot } from '../backends/ostree/sysroot-reader.js';

/**
 * The daemon's view of the sysroot. Loading is lazy (the daemon answers connections before it
 * touches the sysroot) and every read asks libostree whether the sysroot changed, so changes
 * made outside the daemon (`ostree admin deploy` by hand) show on the next call.
 */
export class SysrootService {
  private readonly reader: OstreeSysrootReader;

  constructor(readonly path: string) {
    this.reader = new OstreeSysrootReader(path);
  }

  /** The current snapshot; InvalidSysroot (with libostree's message) when it cannot be loaded. */
  snapshot(): SysrootSnapshot {
    return this.guard(() => this.reader.read());
  }

  /** Drop everything cached and load again (Sysroot.Reload). */
  reload(): SysrootSnapshot {
    return this.guard(() => this.reader.reload());
  }

  /** The next read rebuilds the snapshot even if libostree sees no change (state kept beside the sysroot changed). */
  invalidate(): void {
    this.reader.invalidate();
  }

  close(): void {
    this.reader.close();
  }

  private guard(load: () => SysrootSnapshot): SysrootSnapshot {
    try {
      return load();
    } catch (err) {
      if (err instanceof SysrootLoadError) {
        throw new ApiError('InvalidSysroot', `Cannot load sysroot ${this.path}: ${err.message}`, { path: this.path });
      }
      throw err;
    }
  }
}
