/**
 * apply-live's pieces on real deployments, here where nothing is booted: the refusals (a sysroot
 * that is not the running system's; applyLive with reboot), the tree diff between the base and
 * a deployment with a layered package, and the live writer (dist/apt-ostreed-live.cjs, the real
 * bundle) applying such a diff to a root folder: new files with their owner and mode, new default
 * files of /etc only when the root has none, removals, and a bad plan refused before anything
 * is touched. The whole thing on a booted machine — transient overlay over /usr, a package that
 * runs at once, status, reboot — is in test/vm/layering-reboot.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inHostNamespace, mountNamespaceOfPid1 } from '../src/backends/live/host-namespace.js';
import type { LivePlan } from '../src/backends/live/live-plan.js';
import { diffTrees } from '../src/backends/live/tree-diff.js';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { startDaemon } from './support/daemon-process.js';
import { daemonSuite } from './support/daemon-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';
import { REPO_ROOT } from './support/repo-root.js';

const WRITER = join(REPO_ROOT, 'dist/apt-ostreed-live.cjs');

function runWriter(plan: unknown): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [WRITER], { input: JSON.stringify(plan), encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('apply-live: refusals, the tree diff and the live writer on real deployments', () => {
  const suite = daemonSuite((dir) => layeringFixture(dir), stopLayeringFixture);
  const cli = cliOn(() => suite.daemon.socket);

  it('on a sysroot that is not the running system: apply-live and install -A are refused before any work; -A with -r too', async () => {
    const before = await suite.deployments();
    const live = await cli('apply-live');
    assert.notEqual(live.code, 0);
    assert.match(live.err, /not the booted one/);
    const a = await cli('install', '-A', 'fooapp');
    assert.notEqual(a.code, 0);
    assert.match(a.err, /not the booted one/);
    const r = await cli('install', '--apply-live', '-r', 'fooapp');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /applyLive and reboot exclude each other/);
    const both = await cli('apply-live', '--reset', '--target', 'a'.repeat(64));
    assert.notEqual(both.code, 0);
    assert.match(both.err, /reset and target exclude each other/);
    assert.deepEqual(
      (await suite.deployments()).map((d) => d.id),
      before.map((d) => d.id),
      'nothing was deployed',
    );
  });

  it('[Experimental] LiveFs=false turns live changes off: OS.ApplyLive and applyLive are refused, naming the setting', async () => {
    const off = await startDaemon({ sysroot: suite.fixture.sysroot, config: '[Experimental]\nLiveFs=false\n' });
    const client = await JsonRpcClient.connect(off.socket);
    try {
      for (const [method, params] of [
        ['OS.ApplyLive', {}],
        ['OS.PkgChange', { add: ['fooapp'], applyLive: true }],
      ] as const) {
        await assert.rejects(client.call(method, params), (e: RemoteError) => e.errorName === 'Failed' && /LiveFs=false/.test(e.message));
      }
    } finally {
      client.close();
      await off.stop();
    }
  });

  it("the tree diff of base → base + fooapp: fooapp's and libfoo1's files added, the dpkg database changed, nothing removed", async () => {
    const r = await cli('install', 'fooapp');
    assert.equal(r.code, 0, r.err);
    const [layered, base] = await suite.deployments();
    const diff = diffTrees(deploymentRoot(suite.fixture.sysroot, base.id), deploymentRoot(suite.fixture.sysroot, layered.id), 'usr');
    for (const f of ['usr/bin/fooapp', 'usr/lib/libfoo.so.1', 'usr/etc/fooapp.conf']) assert.ok(diff.added.includes(f), `${f} added`);
    assert.ok(diff.changed.includes('usr/share/dpkg/database/status'), 'the dpkg status changed');
    assert.deepEqual(diff.removed, []);
    assert.ok(!diff.changed.includes('usr/bin/sh') && !diff.added.includes('usr'), 'shared files are not in the diff');
    // Parents first: an added directory comes before what it holds.
    for (const [i, f] of diff.added.entries()) {
      const parent = f.slice(0, f.lastIndexOf('/'));
      if (diff.added.includes(parent)) assert.ok(diff.added.indexOf(parent) < i, `${parent} before ${f}`);
    }
  });

  it("the live writer applies the diff to a root: /usr's new files with owner and mode, /etc's new default file only where there is none, removals", async () => {
    const [layered, base] = await suite.deployments();
    const baseRoot = deploymentRoot(suite.fixture.sysroot, base.id);
    const target = deploymentRoot(suite.fixture.sysroot, layered.id);
    const root = join(suite.fixture.sysroot, '..', 'live-root');
    mkdirSync(root);
    execFileSync('cp', ['-a', join(baseRoot, 'usr'), join(baseRoot, 'etc'), root]);
    writeFileSync(join(root, 'usr/share/stale-live-file'), 'from an earlier apply-live\n');
    const diff = diffTrees(baseRoot, target, 'usr');
    const etc = diffTrees(baseRoot, target, 'usr/etc').added.map((f) => f.slice('usr/'.length));
    const plan: LivePlan = {
      root,
      sysroot: suite.fixture.sysroot,
      unlock: false,
      remountUsr: false,
      copies: [
        { from: target, paths: [...diff.added, ...diff.changed], noClobber: false },
        { from: join(target, 'usr'), paths: etc, noClobber: true },
      ],
      remove: ['usr/share/stale-live-file'],
      refresh: { tmpfiles: false, ldconfig: false, daemonReload: false },
    };
    const w = runWriter(plan);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(readFileSync(join(root, 'usr/bin/fooapp'), 'utf8'), readFileSync(join(target, 'usr/bin/fooapp'), 'utf8'));
    const [a, b] = [lstatSync(join(root, 'usr/bin/fooapp')), lstatSync(join(target, 'usr/bin/fooapp'))];
    assert.deepEqual([a.mode, a.uid, a.gid], [b.mode, b.uid, b.gid]);
    assert.equal(readFileSync(join(root, 'usr/share/dpkg/database/status'), 'utf8'), readFileSync(join(target, 'usr/share/dpkg/database/status'), 'utf8'));
    assert.equal(readFileSync(join(root, 'etc/fooapp.conf'), 'utf8'), 'greeting=hello\n');
    assert.ok(!existsSync(join(root, 'usr/share/stale-live-file')), 'removed');

    // Again, with the admin's own /etc/fooapp.conf: theirs stays.
    writeFileSync(join(root, 'etc/fooapp.conf'), 'greeting=mine\n');
    assert.equal(runWriter(plan).code, 0);
    assert.equal(readFileSync(join(root, 'etc/fooapp.conf'), 'utf8'), 'greeting=mine\n');
  });

  it('the live writer refuses a plan with a path outside usr/ and etc/, or with .., and touches nothing', () => {
    const root = join(suite.fixture.sysroot, '..', 'live-root-2');
    mkdirSync(join(root, 'usr'), { recursive: true });
    writeFileSync(join(root, 'usr/keep'), 'x');
    for (const bad of ['usr/../keep', 'var/lib/x', '/usr/keep', 'usr//keep', '-rf']) {
      const w = runWriter({
        root,
        sysroot: '/',
        unlock: false,
        remountUsr: false,
        copies: [],
        remove: ['usr/keep', bad],
        refresh: { tmpfiles: false, ldconfig: false, daemonReload: false },
      });
      assert.equal(w.code, 1);
      assert.match(w.stderr, /invalid live plan/);
      assert.ok(existsSync(join(root, 'usr/keep')), `nothing removed for ${bad}`);
    }
  });

  it("the host's mount namespace: the writer runs directly in PID 1's namespace, through systemd-run from any other, or when PID 1's cannot be read and systemd runs (the service)", () => {
    const reader = (self: string, pid1: string | null) => (path: string) => {
      if (path === '/proc/self/ns/mnt') return self;
      if (pid1 === null) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      return pid1;
    };
    assert.equal(mountNamespaceOfPid1(reader('mnt:[4026531841]', 'mnt:[4026531841]')), 'same');
    assert.equal(mountNamespaceOfPid1(reader('mnt:[4026532301]', 'mnt:[4026531841]')), 'other');
    assert.equal(mountNamespaceOfPid1(reader('mnt:[4026532301]', null)), 'unknown');
    assert.deepEqual(inHostNamespace(['node', 'w.cjs'], 'u', 'same', true), ['node', 'w.cjs']);
    assert.deepEqual(inHostNamespace(['node', 'w.cjs'], 'u', 'unknown', false), ['node', 'w.cjs'], 'no systemd: nowhere else to go');
    for (const where of ['other', 'unknown'] as const) {
      const argv = inHostNamespace(['node', 'w.cjs'], 'apt-ostreed-live-1', where, true);
      assert.equal(argv[0], 'systemd-run');
      assert.ok(argv.includes('--pipe') && argv.includes('--wait') && argv.includes('--unit=apt-ostreed-live-1'));
      assert.deepEqual(argv.slice(argv.indexOf('--') + 1), ['node', 'w.cjs']);
    }
  });
});
