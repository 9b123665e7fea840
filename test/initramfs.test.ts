/**
 * Initramfs regeneration for real: a Debian tree with the Debian kernel and dracut (debootstrap,
 * then apt in the tree; cached between runs), `apt-ostree initramfs --enable
 * --arg=--add-drivers --arg=dummy` regenerates it with the tree's dracut, the new image holds
 * the extra module (the tree's own lsinitrd says so), an upgrade regenerates it again on the
 * new base, --disable returns to the base's image. A tree without a generator is refused.
 */
import { insideDeployment } from './support/inside-deployment.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { debootstrapTree } from '../src/demo/debootstrap-tree.js';
import { buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { commitTree, createSysroot, deploy } from '../src/demo/sysroot-builder.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';

const REF = 'debian/bookworm/x86_64';
/**
 * The generator arguments of the test: the dummy network driver added, and — to keep each run
 * at seconds rather than a minute — only dracut's base module and no compression.
 */
const ARGS = ['--modules=base', '--add-drivers=dummy', '--no-compress'];

/** The Debian kernel tree: bookworm minbase + linux-image-amd64, dracut replacing initramfs-tools (systemd-sysv: dracut needs poweroff). */
export function kernelTree(): string {
  return debootstrapTree({ include: ['linux-image-amd64', 'zstd'], installAfter: ['dracut', 'systemd-sysv'] });
}

describe("initramfs regeneration with the tree's dracut", () => {
  const suite = daemonSuite((dir) => {
    const tree = kernelTree();
    const { sysroot, repo } = createSysroot(join(dir, 'sysroot'), 'debian');
    const base = commitTree(repo, REF, tree, { subject: 'Debian 12 with a kernel', version: '12', timestamp: 1_700_000_000 });
    deploy(sysroot, 'debian', REF, { kernelArgs: ['root=UUID=1234', 'rw'] });
    return { sysroot, repo, tree, base };
  });
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const kver = (): string => readdirSync(join(suite.fixture.tree, 'usr/lib/modules'))[0];
  const image = (id: string): Buffer => readFileSync(join(root(id), 'usr/lib/modules', kver(), 'initramfs.img'));
  const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  /** The files of deployment `id`'s initramfs, listed by the tree's own lsinitrd (the deployment as /). */
  const listing = (id: string): string => insideDeployment(root(id), ['lsinitrd', `/usr/lib/modules/${kver()}/initramfs.img`]);
  const fsckClean = (): void => {
    execFileSync('ostree', ['fsck', `--repo=${suite.fixture.repo}`], { stdio: 'pipe' });
  };

  let baseImage = '';
  it('shows the state: disabled on the base', async () => {
    const r = await cli('initramfs');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Initramfs regeneration: disabled\n');
    const [d] = await suite.deployments();
    baseImage = digest(image(d.id));
    assert.doesNotMatch(listing(d.id), /\/dummy\.ko/, 'the base image has no dummy driver');
  });

  it('--enable --arg=--add-drivers=dummy: a new deployment whose image has the module, origin records it', async () => {
    const r = await cli('initramfs', '--enable', ...ARGS.map((a) => `--arg=${a}`));
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Regenerating the initramfs\.\.\. done/);
    const [d, previous] = await suite.deployments();
    assert.equal(previous.checksum, suite.fixture.base);
    assert.equal(d.baseChecksum, suite.fixture.base);
    assert.equal(d.regenerateInitramfs, true);
    assert.deepEqual(d.initramfsArgs, ARGS);
    assert.notEqual(digest(image(d.id)), baseImage);
    assert.match(listing(d.id), /\/dummy\.ko/);
    assert.match((await cli('status')).out, new RegExp(`Initramfs: regenerate ${ARGS.join(' ')}\n`));
    assert.equal((await cli('initramfs')).out, `Initramfs regeneration: enabled, arguments: ${ARGS.join(' ')}\n`);
    // The boot directory got the new image too.
    const boot = readdirSync(join(suite.fixture.sysroot, 'boot/ostree')).map((b) => join(suite.fixture.sysroot, 'boot/ostree', b));
    assert.ok(boot.some((b) => readdirSync(b).some((f) => f.startsWith('initramfs') && digest(readFileSync(join(b, f))) === digest(image(d.id)))));
    fsckClean();
  });

  it('the same state again changes nothing', async () => {
    const before = await suite.deployments();
    const r = await cli('initramfs', '--enable', ...ARGS.map((a) => `--arg=${a}`));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /already enabled/);
    assert.deepEqual(await suite.deployments(), before);
  });

  it('an upgrade to a new base regenerates it again', async () => {
    const extra = join(suite.fixture.repo, 'tmp', 'extra');
    execFileSync('mkdir', ['-p', join(extra, 'usr/share/doc/point-release')]);
    execFileSync('ostree', [
      'commit',
      `--repo=${suite.fixture.repo}`,
      `--branch=${REF}`,
      `--tree=ref=${suite.fixture.base}`,
      `--tree=dir=${extra}`,
      '--add-metadata-string=version=12.1',
      '--subject=point release',
    ]);
    execFileSync('rm', ['-rf', extra]);
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.notEqual(d.baseChecksum, suite.fixture.base);
    assert.equal(d.version, '12.1');
    assert.equal(d.regenerateInitramfs, true);
    assert.match(listing(d.id), /\/dummy\.ko/);
    fsckClean();
  });

  it("noInitramfs (rpm-ostree's no-initramfs, with noPullBase): regeneration off in a new deployment, the base's image; rollback brings it back", async () => {
    const before = await suite.deployments();
    assert.equal(before[0].regenerateInitramfs, true);
    const r = await suite.client.call<{ changed: boolean }>('OS.UpdateDeployment', { modifiers: {}, options: { noInitramfs: true, noPullBase: true } });
    assert.equal(r.changed, true);
    const [d] = await suite.deployments();
    assert.equal(d.regenerateInitramfs, false);
    assert.equal(digest(image(d.id)), baseImage);
    await suite.client.call('OS.Rollback', {});
    assert.equal((await suite.deployments())[0].id, before[0].id);
  });

  it("--disable goes back to the base's image: the plain base commit, refspec origin", async () => {
    const r = await cli('initramfs', '--disable');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.equal(d.regenerateInitramfs, false);
    assert.equal(d.baseChecksum, null, 'no client layer left');
    assert.equal(digest(image(d.id)), baseImage);
    assert.match(readFileSync(join(root(d.id), '..', `${d.checksum}.${d.id.split('.').at(-1)}.origin`), 'utf8'), /^refspec=/m);
    fsckClean();
  });
});

describe('initramfs regeneration refused', () => {
  const suite = daemonSuite(
    (dir) => buildRemoteSysroot(join(dir, 'remote')),
    (f) => f.stop(),
  );
  it('a tree without an initramfs generator: a clear error, nothing deployed; bad input is refused before any work', async () => {
    const before = await suite.deployments();
    await assert.rejects(
      suite.client.call('OS.SetInitramfsState', { regenerate: true }),
      (e: RemoteError) => e.errorName === 'Failed' && /no initramfs generator/.test(e.message),
    );
    await assert.rejects(suite.client.call('OS.SetInitramfsState', { regenerate: false, args: ['-v'] }), (e: RemoteError) =>
      /only apply when regeneration is enabled/.test(e.message),
    );
    await assert.rejects(suite.client.call('OS.SetInitramfsState', { regenerate: true, args: ['$(reboot)'] }), (e: RemoteError) => e.code === -32602);
    assert.deepEqual(await suite.deployments(), before);
  });
});
