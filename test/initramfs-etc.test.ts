/**
 * rpm-ostree's `initramfs-etc` for real: files of the merge deployment's /etc tracked with
 * `apt-ostree initramfs-etc --track` land in a newc cpio archive appended to the new
 * deployment's initramfs.img (read back here with a reader of this test's own); the origin keeps
 * `[apt-ostree] initramfs-etc=`, status shows it, and every later deployment (upgrade, package
 * change) gets the files again. Bad paths are refused naming them, and change nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit } from '../src/demo/remote-fixture.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

const KVER = '6.1.0-13-amd64';
const IMAGE = `usr/lib/modules/${KVER}/initramfs.img`;

interface CpioEntry {
  mode: number;
  data: Buffer;
}

/** The entries of the newc archives in `buf` from `offset` on (NUL padding between archives skipped). */
function readNewc(buf: Buffer, offset: number): Map<string, CpioEntry> {
  const entries = new Map<string, CpioEntry>();
  let at = offset;
  const align = (n: number): number => (n + 3) & ~3;
  while (at < buf.length) {
    if (buf[at] === 0) {
      at++;
      continue;
    }
    assert.equal(buf.toString('ascii', at, at + 6), '070701', `a newc header at ${at}`);
    const field = (i: number): number => parseInt(buf.toString('ascii', at + 6 + i * 8, at + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = buf.toString('utf8', at + 110, at + 110 + nameSize - 1);
    const dataAt = align(at + 110 + nameSize);
    at = align(dataAt + size);
    if (name === 'TRAILER!!!') continue;
    entries.set(name, { mode, data: buf.subarray(dataAt, dataAt + size) });
  }
  return entries;
}

describe('initramfs-etc: /etc files in the initramfs', () => {
  const suite = daemonSuite((dir) => layeringFixture(dir), stopLayeringFixture);
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const origin = (id: string): string => readFileSync(`${root(id)}.origin`, 'utf8');
  const image = (id: string): Buffer => readFileSync(join(root(id), IMAGE));
  /** The archive appended to deployment `id`'s image after `baseImage`. */
  const overlay = (id: string, baseImage: Buffer): Map<string, CpioEntry> => {
    const img = image(id);
    assert.ok(img.subarray(0, baseImage.length).equals(baseImage), "the image starts with the base's");
    return readNewc(img, baseImage.length);
  };
  const ids = async (): Promise<string[]> => (await suite.deployments()).map((d) => d.id);
  const fsckClean = (): void => {
    execFileSync('ostree', ['fsck', `--repo=${join(suite.fixture.sysroot, 'ostree/repo')}`], { stdio: 'pipe' });
  };
  let baseImage: Buffer;

  it('alone it shows no tracked files; the merge deployment gets two files to track', async () => {
    const r = await cli('initramfs-etc');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'No tracked files.\n');
    const [d] = await suite.deployments();
    assert.deepEqual(d.initramfsEtc, []);
    baseImage = image(d.id);
    const etc = join(root(d.id), 'etc');
    writeFileSync(join(etc, 'crypttab'), 'luks-root UUID=1234 /etc/keyfile luks\n');
    chmodSync(join(etc, 'crypttab'), 0o600);
    mkdirSync(join(etc, 'modprobe.d'), { recursive: true });
    writeFileSync(join(etc, 'modprobe.d/test.conf'), 'options dummy numdummies=2\n');
  });

  it('refuses relative paths, paths outside /etc, .., missing files and links, naming them; nothing changes', async () => {
    const before = await ids();
    const refused: [string, RegExp][] = [
      ['etc/crypttab', /Path must be absolute: etc\/crypttab/],
      ['/usr/lib/os-release', /Path outside \/etc forbidden: \/usr\/lib\/os-release/],
      ['/etc', /Path outside \/etc forbidden: \/etc$/],
      ['/etc/../usr/lib/os-release', /must not contain '\.\.': \/etc\/\.\.\/usr\/lib\/os-release/],
      ['/etc/no-such-file', /Cannot track \/etc\/no-such-file: no such file/],
      ['/etc/os-release', /Cannot track \/etc\/os-release: not a regular file/],
      ['/etc/apt', /Cannot track \/etc\/apt: not a regular file/],
    ];
    for (const [path, message] of refused) {
      await assert.rejects(
        suite.client.call('OS.InitramfsEtc', { track: [path] }),
        (e: RemoteError) => e.errorName === 'Failed' && message.test(e.message),
        path,
      );
    }
    await assert.rejects(suite.client.call('OS.InitramfsEtc', {}), (e: RemoteError) => /Nothing to do/.test(e.message));
    const r = await cli('initramfs-etc', '--track=/etc/no-such-file');
    assert.equal(r.code, 1, r.out);
    assert.match(r.err + r.out, /\/etc\/no-such-file/);
    assert.deepEqual(await ids(), before);
  });

  it('--track: a new deployment whose initramfs ends with a cpio of the files; origin, status and JSON list them', async () => {
    const [previous] = await suite.deployments();
    const r = await cli('initramfs-etc', '--track=/etc/crypttab', '--track', '/etc/modprobe.d/test.conf');
    assert.equal(r.code, 0, r.err + r.out);
    const [d, rollback] = await suite.deployments();
    assert.equal(rollback.id, previous.id);
    assert.equal(d.baseChecksum, previous.checksum, 'a layer on the same base');
    assert.deepEqual(d.initramfsEtc, ['/etc/crypttab', '/etc/modprobe.d/test.conf']);
    assert.match(origin(d.id), /^initramfs-etc=\/etc\/crypttab;\/etc\/modprobe\.d\/test\.conf;$/m);
    assert.match(origin(d.id), /^baserefspec=/m);
    const files = overlay(d.id, baseImage);
    assert.deepEqual([...files.keys()], ['etc', 'etc/crypttab', 'etc/modprobe.d', 'etc/modprobe.d/test.conf']);
    assert.equal(files.get('etc/crypttab')?.data.toString(), 'luks-root UUID=1234 /etc/keyfile luks\n');
    assert.equal(files.get('etc/crypttab')?.mode, 0o100600);
    assert.equal(files.get('etc/modprobe.d/test.conf')?.data.toString(), 'options dummy numdummies=2\n');
    assert.equal((files.get('etc/modprobe.d')?.mode ?? 0) & 0o170000, 0o040000);
    // The rollback's image (a hardlink into the repository, like the base commit's) is untouched.
    assert.ok(image(rollback.id).equals(baseImage));
    fsckClean();
    assert.match((await cli('status')).out, /InitramfsEtc: \/etc\/crypttab \/etc\/modprobe\.d\/test\.conf\n/);
    const json = JSON.parse((await cli('status', '--json')).out) as { deployments: Record<string, unknown>[] };
    assert.deepEqual(json.deployments[0]['initramfs-etc'], ['/etc/crypttab', '/etc/modprobe.d/test.conf']);
    assert.equal((await cli('initramfs-etc')).out, 'Tracked files:\n  /etc/crypttab\n  /etc/modprobe.d/test.conf\n');
  });

  it('tracking a tracked file changes nothing; --force-sync picks up new contents', async () => {
    const before = await ids();
    const same = await suite.client.call<{ changed: boolean; message: string }>('OS.InitramfsEtc', { track: ['/etc/crypttab'] });
    assert.equal(same.changed, false);
    assert.match(same.message, /No changes/);
    assert.deepEqual(await ids(), before);
    const [d] = await suite.deployments();
    writeFileSync(join(root(d.id), 'etc/crypttab'), 'luks-root UUID=5678 none luks\n');
    const r = await cli('initramfs-etc', '--force-sync');
    assert.equal(r.code, 0, r.err + r.out);
    const [synced] = await suite.deployments();
    assert.notEqual(synced.id, d.id);
    assert.deepEqual(synced.initramfsEtc, d.initramfsEtc);
    assert.equal(overlay(synced.id, baseImage).get('etc/crypttab')?.data.toString(), 'luks-root UUID=5678 none luks\n');
  });

  it('an upgrade to a new server commit keeps tracking: the new base image gets the files again', async () => {
    const newImage = `initramfs of 12.9 ${KVER}\n`;
    addServerCommit(suite.fixture, { version: '12.9', files: { [IMAGE]: newImage } });
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.equal(d.version, '12.9');
    assert.deepEqual(d.initramfsEtc, ['/etc/crypttab', '/etc/modprobe.d/test.conf']);
    assert.match(origin(d.id), /^initramfs-etc=\/etc\/crypttab;\/etc\/modprobe\.d\/test\.conf;$/m);
    baseImage = Buffer.from(newImage);
    const files = overlay(d.id, baseImage);
    assert.equal(files.get('etc/crypttab')?.data.toString(), 'luks-root UUID=5678 none luks\n');
    assert.equal(files.get('etc/modprobe.d/test.conf')?.data.toString(), 'options dummy numdummies=2\n');
    fsckClean();
  });

  it('a package change keeps the list, and the layer has both', async () => {
    const r = await cli('install', 'fooapp');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.ok(d.layeredPackages.includes('fooapp'));
    assert.deepEqual(d.initramfsEtc, ['/etc/crypttab', '/etc/modprobe.d/test.conf']);
    assert.ok(overlay(d.id, baseImage).has('etc/crypttab'));
  });

  it('--untrack takes one out, --untrack-all the rest: the image is the base one again, the origin has no key', async () => {
    const r = await cli('initramfs-etc', '--untrack=/etc/crypttab');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.deepEqual(d.initramfsEtc, ['/etc/modprobe.d/test.conf']);
    assert.deepEqual([...overlay(d.id, baseImage).keys()], ['etc', 'etc/modprobe.d', 'etc/modprobe.d/test.conf']);
    const all = await cli('initramfs-etc', '--untrack-all');
    assert.equal(all.code, 0, all.err + all.out);
    const [plain] = await suite.deployments();
    assert.deepEqual(plain.initramfsEtc, []);
    assert.ok(plain.layeredPackages.includes('fooapp'), 'layered packages stay');
    assert.ok(image(plain.id).equals(baseImage));
    assert.doesNotMatch(origin(plain.id), /initramfs-etc/);
    const again = await suite.client.call<{ changed: boolean }>('OS.InitramfsEtc', { untrackAll: true });
    assert.equal(again.changed, false);
  });

  it("reset's noInitramfs untracks as well", async () => {
    assert.equal((await cli('initramfs-etc', '--track=/etc/crypttab')).code, 0);
    assert.deepEqual((await suite.deployments())[0].initramfsEtc, ['/etc/crypttab']);
    const r = await suite.client.call<{ changed: boolean }>('OS.UpdateDeployment', { modifiers: {}, options: { noInitramfs: true, noPullBase: true } });
    assert.equal(r.changed, true);
    const [d] = await suite.deployments();
    assert.deepEqual(d.initramfsEtc, []);
    assert.ok(image(d.id).equals(baseImage));
  });
});
