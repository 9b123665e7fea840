/**
 * Attack: a package plants a symbolic link in the tree where the daemon works on
 * it after the scripts ran, outside any sandbox — the pristine /var (its `cp -a` of the
 * install's /var), usr/sbin (the removal of the install's policy-rc.d), the kernel's boot files
 * (which ostree's deploy copies into /boot) and the output of the tree's initramfs generator
 * (renamed into place). The links point at host directories and files the test made; each
 * layering must fail naming the package, change nothing, and leave the host as it was.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { cliOn } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { addHostileDeb, compileStatic } from './support/hostile-deb.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

/** Every file below `dir`, recursively (links not followed). */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => lstatSync(f, { throwIfNoEntry: false })?.isFile() === true);
}

describe('attack: a package plants symbolic links where the daemon works on the tree', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const cli = cliOn(() => suite.daemon.socket);
  const hostDirs: string[] = [];
  after(() => {
    for (const d of hostDirs) rmSync(d, { recursive: true, force: true });
  });
  const hostDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'aoatk-sbx-host-'));
    hostDirs.push(d);
    return d;
  };
  let planter: Buffer | null = null;
  /** Adds package `name` whose postinst (or generator) plants `link` → `target` with the static planter. */
  const plantingPackage = async (name: string, extra: { postinst?: string; files?: Record<string, { content: string; mode: number }> }): Promise<void> => {
    planter ??= compileStatic('plant-symlink');
    addHostileDeb(suite.fixture.aptDir, {
      name,
      version: '1.0',
      files: { [`/usr/lib/${name}/plant`]: { content: planter, mode: 0o755 }, ...(extra.files ?? {}) },
      postinst: `#!/bin/sh\n${extra.postinst ?? ''}exit 0\n`,
    });
    assert.equal((await cli('refresh-md', '--force')).code, 0);
  };
  /** What `call` failed with (null: it succeeded), and the deployments before and after. */
  const attempt = async (call: () => Promise<unknown>): Promise<{ error: RemoteError | null; before: unknown; after: unknown }> => {
    const before = await suite.deployments();
    const error = await call().then(
      () => null,
      (e: RemoteError) => e,
    );
    return { error, before, after: await suite.deployments() };
  };
  /** The layering failed naming the package (`name`) and what it planted, and nothing changed. */
  const assertRefused = (r: { error: RemoteError | null; before: unknown; after: unknown }, name: string, what: RegExp): void => {
    assert.ok(r.error !== null, 'the layering was refused');
    assert.equal(r.error.errorName, 'Failed', r.error.message);
    assert.match(r.error.message, what);
    assert.match(r.error.message, new RegExp(name));
    assert.deepEqual(r.after, r.before);
    assert.deepEqual(
      readdirSync(join(suite.fixture.repo, 'tmp')).filter((f) => f.startsWith('apt-ostree-')),
      [],
    );
  };
  /** Files of the sysroot (repository objects aside) holding `secret`. */
  const leaks = (secret: string): string[] => filesBelow(suite.fixture.sysroot).filter((f) => !f.includes('/objects/') && readFileSync(f).includes(secret));
  const install = (name: string) => () => suite.client.call('OS.PkgChange', { add: [name] });

  it('usr/share/factory/var → a host directory: the /var merge writes nothing there', async () => {
    const victim = hostDir();
    await plantingPackage('plant-factory-var', { postinst: `/usr/lib/plant-factory-var/plant /usr/share/factory/var ${victim}\n` });
    const r = await attempt(install('plant-factory-var'));
    assert.deepEqual(readdirSync(victim), []);
    assertRefused(r, 'plant-factory-var', /usr\/share\/factory\/var/);
  });

  it('usr/sbin → a host directory: the removal of policy-rc.d removes nothing there', async () => {
    const victim = hostDir();
    writeFileSync(join(victim, 'policy-rc.d'), "the host's own file\n");
    await plantingPackage('plant-usr-sbin', { postinst: `/usr/lib/plant-usr-sbin/plant /usr/sbin ${victim}\n` });
    const r = await attempt(install('plant-usr-sbin'));
    assert.deepEqual(readdirSync(victim), ['policy-rc.d']);
    assert.equal(readFileSync(join(victim, 'policy-rc.d'), 'utf8'), "the host's own file\n");
    assertRefused(r, 'plant-usr-sbin', /usr\/sbin/);
  });

  it("the kernel's initramfs → a host file: nothing of it reaches the deployment or /boot", async () => {
    const secretFile = join(hostDir(), 'secret');
    const secret = randomBytes(16).toString('hex');
    writeFileSync(secretFile, secret, { mode: 0o600 });
    await plantingPackage('plant-initramfs', {
      postinst: `for k in /usr/lib/modules/*; do /usr/lib/plant-initramfs/plant "$k/initramfs.img" ${secretFile}; done\n`,
    });
    const r = await attempt(install('plant-initramfs'));
    assert.deepEqual(leaks(secret), []);
    assertRefused(r, 'plant-initramfs', /initramfs\.img/);
  });

  it("the initramfs generator's output → a host file: not renamed into the tree, nothing leaks", async () => {
    const secretFile = join(hostDir(), 'secret');
    const secret = randomBytes(16).toString('hex');
    writeFileSync(secretFile, secret, { mode: 0o600 });
    // A package bringing the tree's "dracut", which leaves a link where its output should be.
    const dracut = `#!/bin/sh\nfor a; do out=$a; done\nexec /usr/lib/plant-dracut/plant "$out" ${secretFile}\n`;
    await plantingPackage('plant-dracut', { files: { '/usr/bin/dracut': { content: dracut, mode: 0o755 } } });
    const installed = await cli('install', 'plant-dracut');
    assert.equal(installed.code, 0, installed.err + installed.out);
    const r = await attempt(() => suite.client.call('OS.SetInitramfsState', { regenerate: true, args: [] }));
    assert.deepEqual(leaks(secret), []);
    assert.ok(existsSync(secretFile));
    assertRefused(r, 'plant-dracut', /initramfs\.img\.apt-ostree-new/);
  });
});
