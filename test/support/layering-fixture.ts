import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptSourceLine, buildAptRepo, FIXTURE_DEBS, type DebSpec } from '../../src/demo/apt-repo.js';
import { buildRemoteSysroot, startStaticServer, type RemoteSysroot, type StaticServer } from '../../src/demo/remote-fixture.js';
import { ostreeAdminStatus } from './ostree-admin-status.js';

export type LayeringFixture = RemoteSysroot & { apt: StaticServer; aptDir: string };

/**
 * A remote sysroot whose trees have a shell (maintainer scripts run), the suite's APT
 * repository served on 127.0.0.1, and its source line in the deployed /etc of the default
 * deployment (the merge deployment, where apt's configuration comes from). `extraDebs` join
 * the repository's usual packages.
 */
export async function layeringFixture(dir: string, extraDebs: DebSpec[] = []): Promise<LayeringFixture> {
  const remote = await buildRemoteSysroot(join(dir, 'remote'), { shell: true });
  const aptDir = join(dir, 'apt');
  mkdirSync(aptDir);
  buildAptRepo(aptDir, [...FIXTURE_DEBS, ...extraDebs]);
  const apt = await startStaticServer(aptDir);
  const d = ostreeAdminStatus(remote.sysroot)[0];
  const etcApt = join(remote.sysroot, 'ostree/deploy', remote.osname, 'deploy', `${d.checksum}.${d.serial}`, 'etc/apt');
  writeFileSync(join(etcApt, 'sources.list.d/test.list'), aptSourceLine(apt.url));
  return { ...remote, apt, aptDir };
}

export async function stopLayeringFixture(f: LayeringFixture): Promise<void> {
  await f.apt.stop();
  await f.stop();
}
