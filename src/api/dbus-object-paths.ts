/**
 * The D-Bus object paths of the daemon's objects (a module of its own, so that the CLI, which
 * shows an OS's path in `status --json`, does not load the signature tables of dbus-signatures.ts).
 */

/** D-Bus object path of an OS, its name escaped like systemd's bus_path_encode. */
export function osObjectPath(osname: string): string {
  const escaped = [...Buffer.from(osname, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9]/.test(c) ? c : '_' + b.toString(16).padStart(2, '0');
    })
    .join('');
  return `/org/projectatomic/aptostree1/${escaped === '' ? '_' : escaped}`;
}
