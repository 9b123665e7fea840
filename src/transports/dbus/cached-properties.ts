/**
 * The values behind one D-Bus object's properties (Sysroot.GetProperties or OS.GetProperties),
 * read once and kept while they cannot have changed: a property read (Get, GetAll, or the
 * PropertiesChanged after a transaction) no longer rebuilds all of them and reads state files.
 * They are read again after `clear()` (a transaction started or finished: the shim's onChange)
 * or when what they are read from is no longer the same object (`sources()`: the sysroot's
 * snapshot, the configuration in force), so changes made outside a transaction show at once.
 */
export class CachedProperties {
  private value: Record<string, unknown> | null = null;
  private readFrom: readonly unknown[] = [];

  constructor(
    private readonly read: () => Record<string, unknown>,
    private readonly sources: () => readonly unknown[],
  ) {}

  get(): Record<string, unknown> {
    const now = this.sources();
    if (this.value === null || now.length !== this.readFrom.length || now.some((s, i) => s !== this.readFrom[i])) {
      this.value = this.read();
      this.readFrom = now;
    }
    return this.value;
  }

  clear(): void {
    this.value = null;
  }
}
