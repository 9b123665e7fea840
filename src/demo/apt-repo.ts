/**
 * A flat APT repository of small synthetic packages, built in well under a second with the
 * real tools (`dpkg-deb --build`, `dpkg-scanpackages`, `apt-ftparchive release`), for the
 * demo and the tests. Serve it over HTTP (remote-fixture's static server) and point a
 * deployment's /etc/apt/sources.list.d at it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One package of the repository. */
export interface DebSpec {
  name: string;
  version: string;
  /** `all` by default. */
  architecture?: string;
  depends?: string;
  conflicts?: string;
  description?: string;
  /** Files: absolute path in the tree → content. */
  files?: Record<string, string>;
  /** Paths (among `files`) that are conffiles. */
  conffiles?: string[];
  /** Body of the postinst (a /bin/sh script). */
  postinst?: string;
}

/** The packages the layering tests use: each exercises one behaviour. */
export const FIXTURE_DEBS: DebSpec[] = [
  { name: 'libfoo1', version: '1.0-1', description: 'a library', files: { '/usr/lib/libfoo.so.1': 'libfoo 1.0\n' } },
  {
    name: 'fooapp',
    version: '2.0-1',
    depends: 'libfoo1 (>= 1.0)',
    description: 'an application with a conffile',
    files: { '/usr/bin/fooapp': '#!/bin/sh\necho "fooapp 2.0"\n', '/etc/fooapp.conf': 'greeting=hello\n' },
    conffiles: ['/etc/fooapp.conf'],
  },
  {
    name: 'marker',
    version: '1.0',
    description: 'a postinst that leaves a file',
    files: { '/usr/share/marker/README': 'marker\n' },
    postinst: 'echo "configured $1" > /usr/share/marker/postinst-ran\n',
  },
  {
    name: 'slowpost',
    version: '1.0',
    description: 'a postinst that takes an hour (to cancel a layering in the middle)',
    postinst: 'sleep 3600.25\n',
  },
  { name: 'failing', version: '1.0', description: 'a postinst that fails', postinst: 'echo "failing on purpose" >&2\nexit 1\n' },
  { name: 'conflicter', version: '1.0', conflicts: 'fooapp', description: 'conflicts with fooapp', files: { '/usr/share/conflicter': 'x\n' } },
  { name: 'broken', version: '1.0', depends: 'nosuchpackage', description: 'depends on a missing package' },
];

/** Builds the .deb of `spec` into `outDir`; returns its path. */
function buildDeb(spec: DebSpec, workDir: string, outDir: string): string {
  const arch = spec.architecture ?? 'all';
  const root = join(workDir, `${spec.name}_${spec.version}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Architecture: ${arch}`,
    'Maintainer: apt-ostree tests <tests@example.invalid>',
    'Section: misc',
    'Priority: optional',
    ...(spec.depends !== undefined ? [`Depends: ${spec.depends}`] : []),
    ...(spec.conflicts !== undefined ? [`Conflicts: ${spec.conflicts}`] : []),
    `Description: ${spec.description ?? spec.name}`,
  ];
  writeFileSync(join(root, 'DEBIAN/control'), control.join('\n') + '\n');
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    const p = join(root, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    chmodSync(p, path.includes('/bin/') ? 0o755 : 0o644);
  }
  if ((spec.conffiles ?? []).length > 0) writeFileSync(join(root, 'DEBIAN/conffiles'), spec.conffiles!.join('\n') + '\n');
  if (spec.postinst !== undefined) {
    writeFileSync(join(root, 'DEBIAN/postinst'), `#!/bin/sh\nset -e\n${spec.postinst}`);
    chmodSync(join(root, 'DEBIAN/postinst'), 0o755);
  }
  const deb = join(outDir, `${spec.name}_${spec.version.replace(/:/g, '%3a')}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb], { stdio: 'ignore' });
  return deb;
}

/** Writes a flat repository (`deb [trusted=yes] URL/ ./`) of `specs` into `dir`. */
export function buildAptRepo(dir: string, specs: DebSpec[] = FIXTURE_DEBS): void {
  const work = join(dir, '.build');
  mkdirSync(work, { recursive: true });
  try {
    for (const spec of specs) buildDeb(spec, work, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const packages = execFileSync('dpkg-scanpackages', ['--multiversion', '.'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  writeFileSync(join(dir, 'Packages'), packages);
  writeFileSync(join(dir, 'Packages.gz'), gzipSync(packages));
  const release = execFileSync('apt-ftparchive', ['release', '.'], { cwd: dir, encoding: 'utf8' });
  writeFileSync(join(dir, 'Release'), release);
}

/** The sources line of a flat repository served at `url`. */
export function aptSourceLine(url: string): string {
  return `deb [trusted=yes] ${url}/ ./\n`;
}
