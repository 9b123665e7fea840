/**
 * What the demo's system is made of: the base image's dpkg database (with one leaf package,
 * nano, that nothing depends on, for `override remove`), and the packages of the demo's local
 * APT repository — those the demo layers on its first run (hello, jq) and more to install.
 */
import type { DebSpec } from './apt-repo.js';
import { BASE_PACKAGES, type DpkgPackage } from './sysroot-builder.js';

/** Packages the demo layers on its first run (with the real daemon, from the demo's repository). */
export const DEMO_LAYERED = ['hello', 'jq'];

/** Packages of the repository a newcomer can install (none of them is in the base). */
export const DEMO_INSTALLABLE = ['cowsay', 'htop', 'sl', 'tree'];

/** The base's leaf package: installed with its files, nothing depends on it. */
export const DEMO_LEAF = 'nano';

/** Dependencies among the base packages: libc6 has reverse dependencies, {@link DEMO_LEAF} none. */
const BASE_DEPENDS: Record<string, string> = { bash: 'base-files (>= 2.1.12)', dpkg: 'libc6 (>= 2.34)', [DEMO_LEAF]: 'libc6 (>= 2.34)' };

/** The base images' dpkg database: the synthetic base packages plus {@link DEMO_LEAF}. */
export const DEMO_BASE_PACKAGES: DpkgPackage[] = [...BASE_PACKAGES, { name: DEMO_LEAF, version: '7.2-1', arch: 'amd64', description: 'small text editor' }].map(
  (p) => (BASE_DEPENDS[p.name] !== undefined ? { ...p, depends: BASE_DEPENDS[p.name] } : p),
);

/** Files of the base images: the leaf package's program and dpkg's list of its files. */
export const DEMO_BASE_FILES: Record<string, string> = {
  'usr/bin/nano': '#!/bin/sh\necho "GNU nano 7.2 (demo)"\n',
  [`usr/share/dpkg/database/info/${DEMO_LEAF}.list`]: '/.\n/usr\n/usr/bin\n/usr/bin/nano\n',
};

const script = (text: string): string => `#!/bin/sh\n${text}`;

/** The demo repository: every package the demo layers, their dependencies, and more to install. */
export const DEMO_DEBS: DebSpec[] = [
  {
    name: 'hello',
    version: '2.10-3',
    depends: 'libc6 (>= 2.34)',
    description: 'example package based on GNU hello',
    files: { '/usr/bin/hello': script('echo "Hello, world!"\n') },
  },
  {
    name: 'libjq1',
    version: '1.6-2.1',
    depends: 'libc6 (>= 2.34)',
    description: 'lightweight and flexible command-line JSON processor - shared library',
    files: { '/usr/lib/x86_64-linux-gnu/libjq.so.1': 'libjq 1.6\n' },
  },
  {
    name: 'jq',
    version: '1.6-2.1',
    depends: 'libjq1 (= 1.6-2.1)',
    description: 'lightweight and flexible command-line JSON processor',
    files: { '/usr/bin/jq': script('cat\n') },
  },
  {
    name: 'cowsay',
    version: '3.03+dfsg2-8',
    description: 'configurable talking cow',
    files: {
      '/usr/games/cowsay': script('echo " < $* >"\necho "        \\\\   ^__^"\necho "         \\\\  (oo)\\\\_______"\n'),
      '/etc/cowsay.conf': 'eyes=oo\n',
    },
    conffiles: ['/etc/cowsay.conf'],
  },
  {
    name: 'htop',
    version: '3.2.2-2',
    depends: 'libc6 (>= 2.34)',
    description: 'interactive processes viewer',
    files: { '/usr/bin/htop': script('echo "htop 3.2.2 (demo)"\n') },
  },
  {
    name: 'sl',
    version: '5.02-1+b1',
    description: 'correct you if you type sl by mistake',
    files: { '/usr/games/sl': script('echo "choo choo"\n'), '/usr/share/sl/README': 'sl\n' },
    // The base images' shell has its builtins only (no mkdir): the folder comes with the package.
    postinst: 'echo "configured $1" > /usr/share/sl/postinst-ran\n',
  },
  {
    name: 'tree',
    version: '2.1.0-1',
    depends: 'libc6 (>= 2.34)',
    description: 'displays an indented directory tree, in color',
    files: { '/usr/bin/tree': script('echo .\n') },
  },
];
