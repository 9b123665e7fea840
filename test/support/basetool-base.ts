import { addServerCommit } from '../../src/demo/remote-fixture.js';
import { BASE_PACKAGES, type DpkgPackage } from '../../src/demo/sysroot-builder.js';
import type { LayeringFixture } from './layering-fixture.js';

/** A base commit on the server with basetool at `version` installed as dpkg installs it, and baseuser depending on it. */
export function baseWithBasetool(f: LayeringFixture, release: string, version: string): string {
  const packages: DpkgPackage[] = [
    ...BASE_PACKAGES,
    { name: 'basetool', version, arch: 'all' },
    { name: 'baseuser', version: '1.0', arch: 'all', depends: 'basetool' },
  ];
  return addServerCommit(f, {
    version: release,
    dpkgPackages: packages,
    files: {
      'usr/bin/basetool': `basetool ${version}\n`,
      'usr/share/dpkg/database/info/basetool.list': '/.\n/usr\n/usr/bin\n/usr/bin/basetool\n',
      'usr/bin/baseuser': 'uses basetool\n',
      'usr/share/dpkg/database/info/baseuser.list': '/.\n/usr\n/usr/bin\n/usr/bin/baseuser\n',
    },
  });
}
