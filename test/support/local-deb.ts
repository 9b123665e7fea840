import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What {@link buildLocalDeb} puts in a package. */
export interface LocalDebSpec {
  name: string;
  version: string;
  depends?: string;
  /** Absolute path in the package → content (made executable). */
  files: Record<string, string>;
}

/** Builds `NAME_VERSION_all.deb` in `dir` with dpkg-deb; returns its path and sha256. */
export function buildLocalDeb(dir: string, spec: LocalDebSpec): { path: string; sha256: string } {
  const root = join(dir, `${spec.name}-${spec.version}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: ${spec.name}\nVersion: ${spec.version}\nArchitecture: all\nMaintainer: t <t@example.invalid>\n` +
      (spec.depends !== undefined ? `Depends: ${spec.depends}\n` : '') +
      `Description: a local package\n`,
  );
  for (const [path, content] of Object.entries(spec.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { mode: 0o755 });
  }
  const deb = join(dir, `${spec.name}_${spec.version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-b', root, deb], { stdio: 'pipe' });
  rmSync(root, { recursive: true });
  return { path: deb, sha256: execFileSync('sha256sum', [deb], { encoding: 'utf8' }).split(' ')[0] };
}
