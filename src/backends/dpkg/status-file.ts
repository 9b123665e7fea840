/** Reading a dpkg status file: which packages are installed. */

/** Where a tree keeps its dpkg status (DECISIONS.md: the database lives in /usr). */
export const DPKG_STATUS = '/usr/share/dpkg/database/status';

/** Names of the packages whose Status is `install ok installed`, from status file text. */
export function installedPackageNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package: (\S+)/m.exec(stanza)?.[1];
    const status = /^Status: (.*)$/m.exec(stanza)?.[1];
    if (name !== undefined && status?.trim() === 'install ok installed') names.add(name);
  }
  return names;
}

/** The package name of a spec `name[:arch][=version]`. */
export function specName(spec: string): string {
  return spec.replace(/[:=].*$/, '');
}
