/**
 * The hardened maintainer-script sandbox (the tree as /, few capabilities) still does what real
 * Debian postinsts need: dbus adds a system user and group and sets a setuid-root helper with
 * dpkg-statoverride; iputils-ping gives ping a file capability with setcap; libc-bin's ldconfig
 * trigger runs. A real Debian tree (debootstrap, cached) and the Debian archive: needs
 * deb.debian.org.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debootstrapTree } from '../src/demo/debootstrap-tree.js';
import { commitTree, createSysroot, deploy } from '../src/demo/sysroot-builder.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';

const REF = 'debian/bookworm/x86_64';

describe('real Debian postinsts in the hardened sandbox', () => {
  const suite = daemonSuite((dir) => {
    const { sysroot, repo } = createSysroot(join(dir, 'sysroot'), 'debian');
    const base = commitTree(repo, REF, debootstrapTree(), { subject: 'Debian 12 minbase', version: '12' });
    deploy(sysroot, 'debian', REF, { kernelArgs: ['root=UUID=1234', 'rw'] });
    return { sysroot, repo, base };
  });
  const cli = cliOn(() => suite.daemon.socket);

  it('install dbus iputils-ping: a system user and group, a setuid-root helper, a file capability', async () => {
    const r = await cli('install', 'dbus', 'iputils-ping');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    const root = deploymentRoot(suite.fixture.sysroot, d.id);
    const passwd = readFileSync(join(root, 'usr/etc/passwd'), 'utf8');
    const user = /^messagebus:x:(\d+):(\d+):/m.exec(passwd);
    assert.ok(user !== null, passwd);
    const group = /^messagebus:x:(\d+):/m.exec(readFileSync(join(root, 'usr/etc/group'), 'utf8'));
    assert.ok(group !== null);
    // dbus-daemon's postinst: dpkg-statoverride root:messagebus 4754.
    const helper = statSync(join(root, 'usr/lib/dbus-1.0/dbus-daemon-launch-helper'));
    assert.equal(helper.mode & 0o7777, 0o4754);
    assert.equal(helper.uid, 0);
    assert.equal(String(helper.gid), group[1]);
    // iputils-ping's postinst: setcap cap_net_raw+ep.
    assert.match(execFileSync('getcap', [join(root, 'usr/bin/ping')], { encoding: 'utf8' }), /cap_net_raw[=+]ep/);
    // libc-bin's trigger: the new libraries are in the tree's linker cache.
    assert.ok(readFileSync(join(root, 'usr/etc/ld.so.cache')).includes('libdbus-1.so.3'));
    execFileSync('ostree', ['fsck', `--repo=${suite.fixture.repo}`], { stdio: 'pipe' });
  });
});
