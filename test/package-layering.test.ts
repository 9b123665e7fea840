/**
 * Package layering for real: apt resolves against the base's dpkg database with the
 * deployment's sources (a flat repository the suite builds, served on 127.0.0.1), dpkg runs
 * the maintainer scripts in bubblewrap, the layer is committed onto the base and deployed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { aptSourceLine } from '../src/demo/apt-repo.js';
import { addServerCommit, startStaticServer } from '../src/demo/remote-fixture.js';
import { captureIo, cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';
import { eventClient } from './support/event-client.js';
import { processesMentioning, until } from './support/processes.js';
import { startDaemon } from './support/daemon-process.js';

function fsckClean(sysroot: string): void {
  execFileSync('ostree', ['fsck', `--repo=${join(sysroot, 'ostree/repo')}`], { stdio: 'pipe' });
}

describe('package layering', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const { deployments } = suite;
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const debRequests = (): number => suite.fixture.apt.requests.filter((r) => r.endsWith('.deb')).length;
  const leftovers = (): string[] => readdirSync(join(suite.fixture.repo, 'tmp')).filter((f) => f.startsWith('apt-ostree-'));

  it('apt-ostree install: dependencies, conffile, postinst, dpkg database, a new default on top of the base', async () => {
    const before = await deployments();
    const r = await cli('install', 'fooapp', 'marker');
    assert.equal(r.code, 0, r.err + r.out);
    // The tasks of a layering, and the download in bytes (apt's status fd).
    for (const t of ['Resolving', 'Downloading 3 packages', 'Checking out the base', 'Unpacking 3 packages', 'Configuring 3 packages', 'Committing']) {
      assert.match(r.out, new RegExp(`^${t}.*\\.\\.\\. done$`, 'm'), r.out);
    }
    assert.match(r.out, /^Receiving packages: 3\/3, \d+(\.\d+)? [kM]?B/m, r.out);
    const ds = await deployments();
    const d = ds[0];
    assert.deepEqual(d.requestedPackages, ['fooapp', 'marker']);
    assert.deepEqual([...d.layeredPackages].sort(), ['fooapp', 'libfoo1', 'marker']);
    assert.equal(d.baseChecksum, before[0].checksum);
    assert.equal(ds[1].id, before[0].id, 'the previous default is the rollback');
    const dir = root(d.id);
    assert.equal(readFileSync(join(dir, 'usr/bin/fooapp'), 'utf8'), '#!/bin/sh\necho "fooapp 2.0"\n');
    assert.ok(existsSync(join(dir, 'usr/lib/libfoo.so.1')));
    assert.equal(readFileSync(join(dir, 'usr/share/marker/postinst-ran'), 'utf8'), 'configured configure\n');
    assert.equal(readFileSync(join(dir, 'etc/fooapp.conf'), 'utf8'), 'greeting=hello\n', 'the conffile after the /etc merge');
    assert.ok(existsSync(join(dir, 'etc/apt/sources.list.d/test.list')), 'local /etc changes carried over');
    const status = readFileSync(join(dir, 'usr/share/dpkg/database/status'), 'utf8');
    for (const p of ['fooapp', 'libfoo1', 'marker']) assert.match(status, new RegExp(`^Package: ${p}\\nStatus: install ok installed`, 'm'));
    assert.equal(existsSync(join(dir, 'usr/sbin/policy-rc.d')), false, 'the policy-rc.d of the install is gone');
    assert.equal(existsSync(join(dir, 'etc/fooapp.conf.dpkg-new')), false);
    fsckClean(suite.fixture.sysroot);
    assert.deepEqual(leftovers(), []);
    const human = await cli('status');
    assert.match(human.out, /fooapp/);
  });

  it('uninstall rebuilds from the base without the package, reusing the cached .debs', async () => {
    const requests = debRequests();
    const r = await cli('uninstall', 'marker');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.deepEqual(d.requestedPackages, ['fooapp']);
    assert.deepEqual([...d.layeredPackages].sort(), ['fooapp', 'libfoo1']);
    assert.equal(existsSync(join(root(d.id), 'usr/share/marker')), false);
    assert.equal(debRequests(), requests, 'no .deb was downloaded again');
    fsckClean(suite.fixture.sysroot);
  });

  it('refusals change nothing: unknown package, conflict, missing dependency, failing postinst, base package, already requested', async () => {
    const before = await deployments();
    const call = (params: Record<string, unknown>) => suite.client.call('OS.PkgChange', params);
    await assert.rejects(call({ add: ['nosuchpkg'] }), (e: RemoteError) => e.errorName === 'PackageNotFound' && e.message.includes('nosuchpkg'));
    await assert.rejects(call({ add: ['conflicter'] }), (e: RemoteError) => e.errorName === 'DependencyProblem' && /conflict|fooapp/i.test(e.message));
    await assert.rejects(call({ add: ['broken'] }), (e: RemoteError) => e.errorName === 'DependencyProblem' && e.message.includes('nosuchpackage'));
    await assert.rejects(
      call({ add: ['failing'] }),
      (e: RemoteError) => e.errorName === 'Failed' && e.message.includes('failing') && e.message.includes('post-installation'),
    );
    await assert.rejects(call({ remove: ['bash'] }), (e: RemoteError) => e.errorName === 'Failed' && /base image/.test(e.message));
    await assert.rejects(call({ add: ['fooapp'] }), (e: RemoteError) => e.errorName === 'Failed' && /already requested/.test(e.message));
    await assert.rejects(call({ add: ['bash'] }), (e: RemoteError) => e.errorName === 'Failed' && /allowInactive/.test(e.message));
    const same = await suite.client.call<{ changed: boolean }>('OS.PkgChange', { add: ['fooapp'], idempotent: true });
    assert.equal(same.changed, false);
    // Not a valid spec: refused by the schema, before any work (never an option of apt).
    await assert.rejects(call({ add: ['-oDebug::pkgProblemResolver=1'] }), (e: RemoteError) => e.code === -32602);
    assert.deepEqual(await deployments(), before);
    fsckClean(suite.fixture.sysroot);
    assert.deepEqual(leftovers(), []);
  });

  /** Starts OS.PkgChange {add}, waits for `inFlight`, cancels; checks the call ends Cancelled and what it ran is gone. */
  const cancelLayering = async (add: string[], inFlight: () => boolean): Promise<void> => {
    const before = await deployments();
    const { client, events } = await eventClient(suite.daemon.socket);
    try {
      const call = client.call('OS.PkgChange', { add });
      const rejected = assert.rejects(call, (e: RemoteError) => e.errorName === 'Cancelled');
      await until(inFlight, 15_000, 'the layering to reach the step to cancel');
      const tx = events.find((e) => e.method === 'Transaction.Started')?.params.transaction;
      assert.ok(typeof tx === 'string');
      await suite.client.call('Transaction.Cancel', {});
      await rejected;
      await until(() => processesMentioning(`apt-ostree-${tx}-`).length === 0, 5000, 'every process of the transaction to be gone');
    } finally {
      client.close();
    }
    assert.deepEqual(await deployments(), before);
    assert.deepEqual(leftovers(), []);
    fsckClean(suite.fixture.sysroot);
  };

  it('Cancel while a maintainer script runs: Cancelled, nothing deployed, the script and the sandbox are gone', async () => {
    const sleeping = (): boolean => processesMentioning('sleep\u00003600.25').length > 0;
    await cancelLayering(['slowpost'], sleeping);
    assert.equal(sleeping(), false);
  });

  it("Cancel while apt fetches from a stalled server: Cancelled, apt-get is gone too (the worker's process group)", async () => {
    const stalled = await startStaticServer(suite.fixture.aptDir, { delayMs: 60_000 });
    const d = (await deployments())[0];
    const list = join(root(d.id), 'etc/apt/sources.list.d/test.list');
    const original = readFileSync(list, 'utf8');
    try {
      // Other sources: the layering refreshes the lists first, from the stalled server.
      writeFileSync(list, aptSourceLine(stalled.url));
      await cancelLayering(['marker'], () => stalled.requests.length > 0);
    } finally {
      writeFileSync(list, original);
      await stalled.stop();
    }
  });

  it('a daemon killed (SIGKILL) while apt fetches: its worker and apt-get die with it; the next start recovers', async () => {
    const stalled = await startStaticServer(suite.fixture.aptDir, { delayMs: 60_000 });
    const d = (await deployments())[0];
    const list = join(root(d.id), 'etc/apt/sources.list.d/test.list');
    const original = readFileSync(list, 'utf8');
    const stateDir = join(suite.fixture.dir, 'killed-daemon-state');
    let other = await startDaemon({ sysroot: suite.fixture.sysroot, stateDir });
    try {
      writeFileSync(list, aptSourceLine(stalled.url));
      const { client, events } = await eventClient(other.socket);
      void client.call('OS.PkgChange', { add: ['marker'] }).catch(() => undefined);
      await until(() => stalled.requests.length > 0, 15_000, 'apt to ask the stalled server');
      const tx = events.find((e) => e.method === 'Transaction.Started')?.params.transaction;
      assert.ok(typeof tx === 'string');
      assert.ok(processesMentioning(`apt-ostree-${tx}-`).length > 0, 'apt runs for the transaction');
      other.process.kill('SIGKILL');
      await until(() => processesMentioning(`apt-ostree-${tx}-`).length === 0, 5000, 'every process of the transaction to die with the daemon');
      client.close();
      await other.stop();
      // The next start on that state dir recovers: scratch dir gone, the transaction journaled as failed.
      other = await startDaemon({ sysroot: suite.fixture.sysroot, stateDir });
      const c = await JsonRpcClient.connect(other.socket);
      const last = async () =>
        (await c.call<{ transactions: { id: string; state: string }[] }>('Transaction.History', { limit: 1 })).transactions.map((t) => [t.id, t.state]);
      // Recovery runs in the background of the start.
      for (let i = 0; i < 100 && (await last()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await last(), [[tx, 'failed']]);
      c.close();
      assert.deepEqual(leftovers(), []);
    } finally {
      writeFileSync(list, original);
      await other.stop();
      await stalled.stop();
    }
    fsckClean(suite.fixture.sysroot);
  });

  it('--dry-run: the plan with versions, origins, sizes and files; nothing changes', async () => {
    const before = await deployments();
    const r = await cli('install', '--dry-run', '--json', 'marker');
    assert.equal(r.code, 0, r.err + r.out);
    const last = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as {
      transaction: {
        result: { changed: boolean; plan: { packages: { name: string; version: string; origin: string }[]; files: string[]; installedSize: number } };
      };
    };
    const plan = last.transaction.result.plan;
    // The plan is the whole layer the new set makes (a layer is always rebuilt from the base).
    assert.deepEqual(plan.packages.map((p) => `${p.name}=${p.version}`).sort(), ['fooapp=2.0-1', 'libfoo1=1.0-1', 'marker=1.0']);
    assert.ok(plan.packages.every((p) => p.origin.length > 0));
    assert.ok(plan.files.includes('/usr/share/marker/README'), plan.files.join(' '));
    assert.ok(plan.installedSize >= 0);
    assert.equal(last.transaction.result.changed, false);
    assert.deepEqual(await deployments(), before);
  });

  it('an upgrade carries the requested packages onto the new base; rollback returns', async () => {
    const csum = addServerCommit(suite.fixture, { version: '12.3' });
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    const ds = await deployments();
    assert.equal(ds[0].baseChecksum, csum);
    assert.deepEqual(ds[0].requestedPackages, ['fooapp']);
    assert.ok(existsSync(join(root(ds[0].id), 'usr/bin/fooapp')));
    assert.equal(readFileSync(join(root(ds[0].id), 'usr/lib/apt-ostree-fixture/version'), 'utf8'), '12.3\n');
    fsckClean(suite.fixture.sysroot);
    await suite.client.call('OS.Rollback', {});
    assert.equal((await deployments())[0].id, ds[1].id);
  });

  it("noLayering with noPullBase (rpm-ostree's reset): the base alone, packages dropped; rollback brings them back", async () => {
    const before = await deployments();
    assert.deepEqual(before[0].requestedPackages, ['fooapp']);
    const r = await suite.client.call<{ changed: boolean }>('OS.UpdateDeployment', { modifiers: {}, options: { noLayering: true, noPullBase: true } });
    assert.equal(r.changed, true);
    const now = await deployments();
    assert.deepEqual(now[0].requestedPackages, []);
    assert.deepEqual(now[0].layeredPackages, []);
    assert.equal(existsSync(join(root(now[0].id), 'usr/bin/fooapp')), false);
    await suite.client.call('OS.Rollback', {});
    assert.equal((await deployments())[0].id, before[0].id);
  });

  it('refresh-md: fresh lists are kept, --force and changed sources fetch them again', async () => {
    const indexRequests = (): number => suite.fixture.apt.requests.filter((r) => /Release|Packages/.test(r)).length;
    const n0 = indexRequests();
    const fresh = await suite.client.call<{ changed: boolean }>('OS.RefreshMd', {});
    assert.equal(fresh.changed, false);
    assert.equal(indexRequests(), n0);
    const r = await cli('refresh-md', '--force');
    assert.equal(r.code, 0, r.err + r.out);
    assert.ok(indexRequests() > n0, 'forced: the index was fetched');
    // Sources changed in the merge deployment's /etc: the lists are fetched again.
    const d = (await deployments())[0];
    const list = join(root(d.id), 'etc/apt/sources.list.d/test.list');
    writeFileSync(list, `# changed\n${readFileSync(list, 'utf8')}`);
    const changed = await suite.client.call<{ changed: boolean }>('OS.RefreshMd', {});
    assert.equal(changed.changed, true);
  });

  it('file: and copy: sources (offline machines) layer like any other; a .deb that changed after the lists were read is refused', async () => {
    // apt's sources come from the default deployment's /etc, which each layering replaces.
    const list = async (): Promise<string> => join(root((await deployments())[0].id), 'etc/apt/sources.list.d/test.list');
    const served = readFileSync(await list(), 'utf8');
    try {
      for (const scheme of ['file', 'copy']) {
        writeFileSync(await list(), `deb [trusted=yes] ${scheme}:${suite.fixture.aptDir} ./\n`);
        const before = debRequests();
        const r = await cli('install', 'marker');
        assert.equal(r.code, 0, `${scheme}: ${r.err}${r.out}`);
        const d = (await deployments())[0];
        assert.ok(d.requestedPackages.includes('marker'), scheme);
        assert.equal(readFileSync(join(root(d.id), 'usr/share/marker/postinst-ran'), 'utf8'), 'configured configure\n');
        assert.equal(debRequests(), before, `${scheme}: nothing came from the HTTP server`);
        const u = await cli('uninstall', 'marker');
        assert.equal(u.code, 0, u.err + u.out);
        // The next round must fetch again, not find the .deb in the cache.
        for (const f of readdirSync(join(suite.daemon.cacheDir, 'apt/archives')))
          if (f.startsWith('marker_')) rmSync(join(suite.daemon.cacheDir, 'apt/archives', f));
      }
      // A file: repository whose .deb changed after apt read the lists: named, nothing deployed.
      writeFileSync(await list(), `deb [trusted=yes] file:${suite.fixture.aptDir} ./\n`);
      assert.equal((await cli('refresh-md', '--force')).code, 0);
      const pool = readdirSync(suite.fixture.aptDir).filter((f) => f.startsWith('marker_'));
      assert.equal(pool.length, 1, `the marker .deb at the top of the flat repository: ${readdirSync(suite.fixture.aptDir).join(' ')}`);
      const deb = join(suite.fixture.aptDir, pool[0]);
      const original = readFileSync(deb);
      const tampered = Buffer.from(original);
      tampered[tampered.length - 1] ^= 0xff;
      writeFileSync(deb, tampered);
      try {
        const before = (await deployments()).map((x) => x.id);
        const r = await cli('install', 'marker');
        assert.notEqual(r.code, 0);
        assert.match(r.err + r.out, /hash|Hash Sum mismatch/i);
        assert.deepEqual(
          (await deployments()).map((x) => x.id),
          before,
        );
      } finally {
        writeFileSync(deb, original);
      }
    } finally {
      writeFileSync(await list(), served);
      assert.equal((await cli('refresh-md', '--force')).code, 0);
    }
  });

  it('search, whatprovides and GetPackages answer from the lists, marking base, layered and available', async () => {
    const found = await suite.client.call<{ packages: { name: string; status: string; version: string; summary: string; origin: string }[] }>('OS.Search', {
      names: ['conffile'],
    });
    assert.deepEqual(
      found.packages.map((p) => [p.name, p.version, p.status]),
      [['fooapp', '2.0-1', 'layered']],
    );
    assert.equal(found.packages[0].summary, 'an application with a conffile');
    assert.ok(found.packages[0].origin.includes('127.0.0.1'), found.packages[0].origin);
    const got = await suite.client.call<{ packages: { name: string; status: string }[] }>('OS.GetPackages', { names: ['marker', 'libfoo1'] });
    assert.deepEqual(got.packages.map((p) => [p.name, p.status]).sort(), [
      ['libfoo1', 'layered'],
      ['marker', 'available'],
    ]);
    await assert.rejects(
      suite.client.call('OS.GetPackages', { names: ['nosuchpkg'] }),
      (e: RemoteError) => e.errorName === 'PackageNotFound' && e.message.includes('nosuchpkg'),
    );
    const provides = await suite.client.call<{ packages: { name: string }[] }>('OS.WhatProvides', { provides: ['libfoo1'] });
    assert.deepEqual(
      provides.packages.map((p) => p.name),
      ['libfoo1'],
    );
    const r = await cli('search', 'postinst');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^failing 1\.0 \(all\) \[available\]/m);
    assert.match(r.out, /^marker 1\.0 \(all\) \[available\]/m);
  });

  it('LockLayering=true refuses package changes with LayeringLocked', async () => {
    const locked = await startDaemon({ sysroot: suite.fixture.sysroot, config: '[Daemon]\nLockLayering=true\n' });
    try {
      const io = captureIo();
      const code = await main(['--socket', locked.socket, 'install', 'marker'], io);
      assert.equal(code, 1);
      assert.match(io.err(), /LockLayering/);
    } finally {
      await locked.stop();
    }
  });
});
