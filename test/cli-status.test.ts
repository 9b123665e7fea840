/**
 * `apt-ostree status` through main(argv, io) and through bin/apt-ostree, against the real
 * daemon on a real sysroot.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { main } from '../src/cli/main.js';
import { formatStatus, isoTime } from '../src/cli/format/status-text.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot, type StandardSysroot } from '../src/demo/sysroot-builder.js';
import { captureIo } from './support/capture-io.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';
import { CLI_BIN } from './support/repo-root.js';

describe('apt-ostree status', () => {
  const dir = tempSysrootDir();
  let std: StandardSysroot;
  let daemon: DaemonHandle;
  let api: Deployment[];

  before(async () => {
    std = buildStandardSysroot(join(dir, 'sysroot'));
    daemon = await startDaemon({ sysroot: std.sysroot });
    const client = await JsonRpcClient.connect(daemon.socket);
    api = (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;
    client.close();
  });
  after(() => daemon?.stop());

  it("prints rpm-ostree's layout: origin lines, version, commits, layered packages, pinned", async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'status'], io), 0);
    const text = io.out();
    const status = ostreeAdminStatus(std.sysroot);
    assert.match(text, /^State: idle\nAutomaticUpdates: none\nDeployments:\n/);
    const blocks = text.split('Deployments:\n')[1].trimEnd().split('\n\n');
    assert.equal(blocks.length, status.length);
    blocks.forEach((block, i) => {
      const lines = block.split('\n');
      assert.equal(lines[0], `  debian:${std.refspec}`, 'not booted: no ● marker');
      assert.ok(
        lines.some((l) => l.trim() === `Commit: ${status[i].checksum}`),
        block,
      );
      // Keys are right-aligned on one column.
      const colons = new Set(lines.slice(1).map((l) => l.indexOf(':')));
      assert.equal(colons.size, 1, block);
    });
    const [layered, v2, v1] = blocks;
    assert.match(layered, /BaseCommit: [0-9a-f]{64}\n/);
    assert.ok(layered.includes(`BaseCommit: ${std.commits.v2}`));
    assert.match(layered, /LayeredPackages: hello jq/);
    assert.ok(v2.includes(`Version: 12.2 (${isoTime(std.timestamps.v2)})`), v2);
    assert.doesNotMatch(v2, /Pinned/);
    assert.match(v1, /Version: 12\.1 \(2023-11-14T22:13:20Z\)/);
    assert.match(v1, /Pinned: yes/);
  });

  it("--json prints rpm-ostree's status JSON: kebab-case keys, its deployment keys, transaction and cached-update", async () => {
    const io = captureIo();
    assert.equal(await main(['status', '--json', '--socket', daemon.socket], io), 0);
    const parsed = JSON.parse(io.out()) as { deployments: Record<string, unknown>[] } & Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed).sort(), ['cached-update', 'deployments', 'transaction', 'update-driver']);
    assert.deepEqual(
      parsed.deployments.map((d) => d.checksum),
      api.map((d) => d.checksum),
    );
    const [first] = parsed.deployments;
    const [apiFirst] = api;
    assert.equal(first.id, apiFirst.id);
    assert.equal(first.serial, apiFirst.serial);
    assert.equal(first.booted, apiFirst.booted);
    assert.deepEqual(first['requested-packages'], apiFirst.requestedPackages);
    assert.deepEqual(first.packages, apiFirst.layeredPackages, "layered packages are rpm-ostree's `packages`");
    assert.equal(first['base-checksum'], apiFirst.baseChecksum);
    for (const key of ['requested-local-packages', 'requested-base-removals', 'requested-base-local-replacements', 'base-removals', 'signatures']) {
      assert.deepEqual(first[key], [], key);
    }
    assert.equal(parsed.transaction, null);
    assert.equal(parsed['cached-update'], null);
  });

  it('--booted shows only the booted deployment (none on a sysroot that is not booted)', async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'status', '--booted'], io), 0);
    assert.match(io.out(), /Not booted into .*: no booted deployment to show/);
    const json = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'status', '--booted', '--json'], json), 0);
    assert.deepEqual((JSON.parse(json.out()) as { deployments: unknown[] }).deployments, []);
  });

  it('apt-ostree reload asks the daemon to reload the sysroot', async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'reload'], io), 0, io.err());
    assert.equal(io.out(), '');
  });

  it('APT_OSTREE_SOCKET sets the socket', async () => {
    const io = captureIo({ APT_OSTREE_SOCKET: daemon.socket });
    assert.equal(await main(['status', '--json'], io), 0);
    assert.equal((JSON.parse(io.out()) as { deployments: unknown[] }).deployments.length, 3);
  });

  it('bin/apt-ostree runs the same CLI as a process', () => {
    const r = spawnSync(process.execPath, [CLI_BIN, '--socket', daemon.socket, 'status', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { deployments: { checksum: string }[] }).deployments.map((d) => d.checksum),
      api.map((d) => d.checksum),
    );
  });

  it('names the socket it tried and how to start the daemon when it is unreachable, and fails', async () => {
    const missing = join(dir, 'nobody-listens.sock');
    const io = captureIo();
    assert.equal(await main(['--socket', missing, 'status'], io), 1);
    assert.ok(io.err().includes(missing), io.err());
    assert.match(io.err(), /apt-ostreed --socket/);
    const r = spawnSync(process.execPath, [CLI_BIN, 'status'], {
      encoding: 'utf8',
      env: { ...process.env, APT_OSTREE_SOCKET: missing },
    });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(missing));
  });

  it('suggests the systemd socket unit when the default socket is unreachable', async () => {
    const io = captureIo();
    const code = await main(['status'], io);
    // The machine running the tests may have a real daemon on the default socket; only check the failure path.
    if (code !== 0) assert.match(io.err(), /\/run\/apt-ostreed\.sock[\s\S]*systemctl start apt-ostreed\.socket/);
  });

  it('rejects unknown verbs and options with usage errors (exit 2), and prints help', async () => {
    const verb = captureIo();
    assert.equal(await main(['frobnicate'], verb), 2);
    assert.match(verb.err(), /unknown command "frobnicate"/);
    const option = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'status', '--colour'], option), 2);
    assert.match(option.err(), /unknown option --colour/);
    const none = captureIo();
    assert.equal(await main([], none), 2);
    const help = captureIo();
    assert.equal(await main(['--help'], help), 0);
    assert.match(help.out(), /status/);
    const verbHelp = captureIo();
    assert.equal(await main(['status', '--help'], verbHelp), 0);
    assert.match(verbHelp.out(), /--json/);
  });
});

describe('status text layout', () => {
  const base: Deployment = {
    id: 'debian-aaaa.0',
    osname: 'debian',
    checksum: 'a'.repeat(64),
    serial: 0,
    index: 0,
    booted: false,
    staged: false,
    pinned: false,
    unlocked: 'none',
    origin: 'origin:debian/bookworm/x86_64',
    version: '12.5',
    timestamp: 0,
    baseChecksum: null,
    requestedPackages: [],
    layeredPackages: [],
    kernelArgs: [],
    regenerateInitramfs: false,
    initramfsArgs: [],
    localPackages: [],
    initramfsEtc: [],
    removedBasePackages: [],
    replacedBasePackages: [],
    requestedBaseLocalReplacements: [],
  };

  it('marks the booted deployment with ● and shows staged, unlocked and inactive requests', () => {
    const text = formatStatus({
      deployments: [
        { ...base, staged: true, requestedPackages: ['htop'], layeredPackages: [] },
        { ...base, index: 1, booted: true, unlocked: 'development', version: null },
      ],
      transaction: null,
      sysrootPath: '/',
      bootedOnly: false,
    });
    const [staged, booted] = text.split('Deployments:\n')[1].split('\n\n');
    assert.match(staged, /^ {2}debian:origin:debian\/bookworm\/x86_64\n/);
    assert.match(staged, /Staged: yes/);
    assert.match(staged, /RequestedPackages: htop/);
    assert.match(booted, /^● debian:origin:debian\/bookworm\/x86_64\n/);
    assert.match(booted, /Timestamp: 1970-01-01T00:00:00Z/);
    assert.match(booted, /Unlocked: development/);
    const only = formatStatus({ deployments: [base, { ...base, booted: true }], transaction: null, sysrootPath: '/', bootedOnly: true });
    assert.equal(only.split('●').length, 2);
    assert.equal(only.split('debian:').length, 2, 'only one deployment shown');
  });
});
