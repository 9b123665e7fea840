/**
 * Base packages replaced by local .deb files for real (rpm-ostree's `override replace ./x.deb`):
 * the CLI passes the file open, the worker checks it is a package of the base, keeps it in the
 * repository (aptostree/local/NAME/SHA256) and dpkg replaces the base's version in the layer;
 * the origin keeps `[overrides] replace-local=NAME:SHA256;`, upgrades apply it again (and drop
 * it once the base has caught up), `override reset` drops it, `cleanup -b` prunes the refs no
 * deployment uses, and no received file stays in the daemon's cache.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { baseWithBasetool } from './support/basetool-base.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { startDaemon } from './support/daemon-process.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';
import { buildLocalDeb } from './support/local-deb.js';

const basetool = (version: string) => ({ name: 'basetool', version, files: { '/usr/bin/basetool': `basetool ${version} (local)\n` } });

describe('override replace ./x.deb', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const { deployments } = suite;
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const origin = (id: string): string => readFileSync(`${root(id)}.origin`, 'utf8');
  const tool = (id: string): string => readFileSync(join(root(id), 'usr/bin/basetool'), 'utf8');
  const localRefs = (): string[] =>
    execFileSync('ostree', ['refs', `--repo=${join(suite.fixture.sysroot, 'ostree/repo')}`], { encoding: 'utf8' })
      .split('\n')
      .filter((r) => r.startsWith('aptostree/local/'))
      .sort();
  const received = (): string[] => {
    const dir = join(suite.daemon.cacheDir, 'received');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const debs = (): string => join(suite.fixture.dir, 'debs');
  /** Runs the CLI in the directory of the .debs (relative paths). */
  const cliInDebs = async (...args: string[]) => {
    const cwd = process.cwd();
    process.chdir(debs());
    try {
      return await cli(...args);
    } finally {
      process.chdir(cwd);
    }
  };

  it('the base with basetool 2.0 is deployed', async () => {
    baseWithBasetool(suite.fixture, '12.3', '2.0');
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    mkdirSync(debs(), { recursive: true });
  });

  it('a file that is not a package of the base is refused by name; nothing is kept', async () => {
    const before = (await deployments()).map((d) => d.id);
    buildLocalDeb(debs(), { name: 'notbase', version: '1.0', files: { '/usr/bin/notbase': 'x\n' } });
    const r = await cliInDebs('override', 'replace', './notbase_1.0_all.deb');
    assert.equal(r.code, 1, r.out);
    assert.match(r.err + r.out, /notbase is not a package of the base image, so it cannot be replaced/);
    // Two files, the second not a package: refused before any transaction, the first not kept either.
    const good = buildLocalDeb(debs(), basetool('2.5'));
    const text = join(debs(), 'text.deb');
    writeFileSync(text, 'just text\n');
    const fds = [openSync(good.path, 'r'), openSync(text, 'r')];
    try {
      await assert.rejects(
        suite.client.call('OS.Override', { replaceLocalPackages: [{ fd: 0 }, { fd: 1 }] }, { fds }),
        (e: RemoteError) => e.code === -32602 && /replaceLocalPackages\[1\]: not a Debian binary package/.test(e.message),
      );
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before,
    );
    assert.deepEqual(localRefs(), []);
    assert.deepEqual(received(), []);
  });

  it('a dry run checks the file and plans with it, and imports nothing', async () => {
    const before = (await deployments()).map((d) => d.id);
    const r = await cliInDebs('override', 'replace', '-n', './basetool_2.5_all.deb');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /basetool \(local\)/);
    assert.match(r.out, /nothing changed/);
    assert.deepEqual(localRefs(), [], 'a dry run adds no ref');
    assert.deepEqual(received(), []);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before,
    );
  });

  it('a client that leaves (detach, then closes) does not keep its file past the transaction', async () => {
    const caller = await JsonRpcClient.connect(suite.daemon.socket);
    const fd = openSync(join(debs(), 'basetool_2.5_all.deb'), 'r');
    let id: string;
    try {
      ({ transaction: id } = await caller.call<{ transaction: string }>(
        'OS.Override',
        { replaceLocalPackages: [{ fd: 0 }], dryRun: true, detach: true },
        { fds: [fd] },
      ));
    } finally {
      closeSync(fd);
      caller.close();
    }
    const { transaction } = await suite.client.call<{ transaction: { state: string } }>('Transaction.Watch', { id });
    assert.equal(transaction.state, 'succeeded');
    assert.deepEqual(received(), []);
    assert.deepEqual(localRefs(), []);
  });

  it('override replace ./basetool_2.5_all.deb: dpkg replaces the base version; origin, status and JSON show it', async () => {
    const { sha256 } = buildLocalDeb(debs(), basetool('2.5'));
    const r = await cliInDebs('override', 'replace', './basetool_2.5_all.deb');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.deepEqual(d.requestedBaseLocalReplacements, [`basetool:${sha256}`]);
    assert.equal(tool(d.id), 'basetool 2.5 (local)\n');
    assert.match(readFileSync(join(root(d.id), 'usr/share/dpkg/database/status'), 'utf8'), /^Package: basetool\n(?:.+\n)*?Version: 2\.5$/m);
    assert.ok(existsSync(join(root(d.id), 'usr/bin/baseuser')), 'its dependent stays');
    assert.match(origin(d.id), new RegExp(`^\\[overrides\\]\\nreplace-local=basetool:${sha256};$`, 'm'));
    assert.deepEqual(localRefs(), [`aptostree/local/basetool/${sha256}`]);
    assert.match((await cli('status')).out, new RegExp(`ReplacedBasePackages: basetool \\(local ${sha256.slice(0, 12)}\\)`));
    const json = JSON.parse((await cli('status', '--json')).out) as { deployments: Record<string, unknown>[] };
    assert.deepEqual(json.deployments[0]['requested-base-local-replacements'], [`basetool:${sha256}`]);
    assert.deepEqual(received(), [], 'the daemon kept nothing of the file outside the repository');
  });

  it('upgrades apply it again from the repository, and drop it once the base has that version', async () => {
    baseWithBasetool(suite.fixture, '12.4', '2.0');
    let r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    let d = (await deployments())[0];
    assert.equal(d.version, '12.4');
    assert.equal(tool(d.id), 'basetool 2.5 (local)\n');
    assert.equal(d.requestedBaseLocalReplacements.length, 1);
    baseWithBasetool(suite.fixture, '12.5', '2.5');
    r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /The base has basetool 2\.5 itself: the local replacement is dropped/);
    d = (await deployments())[0];
    assert.deepEqual(d.requestedBaseLocalReplacements, []);
    assert.equal(d.baseChecksum, null, 'nothing left to layer: the plain base');
    assert.doesNotMatch(origin(d.id), /replace-local/);
  });

  it('an absolute path pins an older version; override reset NAME drops it; cleanup -b prunes the unused refs', async () => {
    const { path, sha256 } = buildLocalDeb(debs(), basetool('1.5'));
    let r = await cli('override', 'replace', path);
    assert.equal(r.code, 0, r.err + r.out);
    let d = (await deployments())[0];
    assert.deepEqual(d.requestedBaseLocalReplacements, [`basetool:${sha256}`]);
    assert.equal(tool(d.id), 'basetool 1.5 (local)\n');
    r = await cli('override', 'reset', 'basetool');
    assert.equal(r.code, 0, r.err + r.out);
    d = (await deployments())[0];
    assert.deepEqual(d.requestedBaseLocalReplacements, []);
    assert.equal(tool(d.id), 'basetool 2.5\n');
    // The rollback still replaces basetool by 1.5: its ref stays; the 2.5 file's goes.
    const used = (await deployments()).flatMap((x) => [...x.requestedBaseLocalReplacements, ...x.localPackages]);
    assert.equal(localRefs().length, 2);
    r = await cli('cleanup', '-b');
    assert.equal(r.code, 0, r.err + r.out);
    assert.deepEqual(localRefs(), used.map((e) => `aptostree/local/${e.replace(':', '/')}`).sort());
    assert.deepEqual(localRefs(), [`aptostree/local/basetool/${sha256}`]);
    execFileSync('ostree', ['fsck', `--repo=${join(suite.fixture.sysroot, 'ostree/repo')}`], { stdio: 'pipe' });
  });

  it('files a previous run of the daemon left under <cache>/received are removed at start', async () => {
    const cacheDir = join(suite.fixture.dir, 'other-cache');
    mkdirSync(join(cacheDir, 'received'), { recursive: true });
    writeFileSync(join(cacheDir, 'received', `${'0'.repeat(64)}.deb`), 'left\n');
    writeFileSync(join(cacheDir, 'received', '.partial-1-2-3'), 'left\n');
    const other = await startDaemon({ sysroot: suite.fixture.sysroot, cacheDir });
    try {
      assert.deepEqual(readdirSync(join(cacheDir, 'received')), []);
    } finally {
      await other.stop();
    }
  });
});
