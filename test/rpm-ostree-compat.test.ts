/**
 * rpm-ostree's D-Bus clients, unchanged but for the bus names. The client is written from
 * rpm-ostree's published interface only (src/api/rpm-ostree-interface.ts, the data of
 * rpm-ostree's `org.projectatomic.rpmostree1.xml`), in Python with Gio: every proxy carries that
 * interface, so Gio refuses or drops anything of another type. Against the real daemon on a
 * real system bus and a real remote: every property read, every read method called, every
 * transaction method followed through its peer-to-peer address to Finished with
 * `initiating-command-line` in its options. And the compatibility table: every member of
 * rpm-ostree's interface is answered the same, under another name, with fixed params, or
 * refused as NotSupported with a reason.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import dbus from 'dbus-next';
import { after, before, describe, it } from 'node:test';
import { RPM_OSTREE_MEMBERS } from '../src/api/rpm-ostree-interface.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { compatRows } from '../src/generators/rpm-ostree-compat-doc.js';
import type { Deployment } from '../src/api/types/deployment.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { BUS_POLICY_TARGET, installFile, nameHasOwner, startSystemBus, type TestBus } from './support/system-bus.js';
import { rpmOstreeXml } from './support/rpm-ostree-xml.js';

const run = promisify(execFile);
const NAME = 'org.projectatomic.aptostree1';
const COMMAND_LINE = 'rpm-ostree upgrade --check';

const asv = (entries: Record<string, [string, unknown]>) => ({ __asv__: entries });
const opts = (more: Record<string, [string, unknown]> = {}) => asv({ 'initiating-command-line': ['s', COMMAND_LINE], reboot: ['b', false], ...more });

interface TransactionReport {
  address?: string;
  error?: string;
  message?: string;
  title?: string;
  description?: string;
  started?: boolean;
  signals?: [string, string][];
  finished?: [boolean, string] | null;
}
interface Report {
  properties: Record<'Sysroot' | 'OS', Record<string, string | null>>;
  reads: Record<string, { type?: string; value?: unknown; error?: string; message?: string }>;
  transactions: Record<string, TransactionReport>;
  after: { DefaultDeployment: Record<string, string>; CachedUpdate: Record<string, string> };
}

describe("rpm-ostree's D-Bus interface", () => {
  it('every member is answered: the same, under another name, with fixed params, or NotSupported with the reason', () => {
    const rows = compatRows();
    assert.equal(rows.length, RPM_OSTREE_MEMBERS.length);
    const open = rows.filter((r) => r.status === 'missing' || r.status === 'different signature');
    assert.deepEqual(
      open.map((r) => `${r.member.interface}.${r.member.name}: ${r.status} ${r.detail}`),
      [],
    );
    for (const r of rows.filter((x) => x.status === 'NotSupported')) assert.ok(r.detail.length > 10, `${r.member.name}: a reason`);
  });
});

describe("a client written from rpm-ostree's interface (Gio checks every type)", () => {
  const dir = tempSysrootDir();
  const work = mkdtempSync(join(tmpdir(), 'apt-ostreed-rpmostree-client-'));
  let bus: TestBus;
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  let removePolicy = (): void => {};
  let report: Report;
  let before0: Deployment[];

  before(async () => {
    removePolicy = installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET);
    bus = await startSystemBus(work);
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    daemon = await startDaemon({ sysroot: remote.sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    await until(() => nameHasOwner(bus.address, NAME), 10_000, 'the daemon to own its bus name');
    const c = await JsonRpcClient.connect(daemon.socket);
    before0 = (await c.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;
    c.close();
    addServerCommit(remote, { version: '12.3' });
    const [d0, d1] = before0;
    const plan = {
      reads: [
        ['Sysroot', 'RegisterClient', '(a{sv})', [asv({ id: ['s', 'compat-test'] })]],
        ['Sysroot', 'UnregisterClient', '(a{sv})', [asv({})]],
        ['Sysroot', 'Reload', '', []],
        ['Sysroot', 'ReloadConfig', '', []],
        ['OS', 'GetDeploymentsRpmDiff', '(ss)', [d1.id, d0.id]],
        ['OS', 'GetCachedUpdateRpmDiff', '(s)', ['']],
        ['OS', 'GetDeploymentBootConfig', '(sb)', ['', false]],
        ['OS', 'ListRepos', '', []],
        ['OS', 'ModifyYumRepo', '(sa{ss})', ['fedora', { enabled: '0' }]],
        // rpm-ostree's apply-live: this sysroot is not the running system's, so it is refused before any work.
        ['OSExperimental', 'LiveFs', '(a{sv})', [asv({ replace: ['b', true], 'initiating-command-line': ['s', 'rpm-ostree apply-live'] })]],
      ],
      transactions: [
        ['DownloadUpdateRpmDiff', '', []],
        ['Upgrade', '(a{sv})', [opts({ 'allow-downgrade': ['b', false] })]],
        ['Deploy', '(sa{sv})', [remote.commits.v2, opts()]],
        ['Rollback', '(a{sv})', [opts()]],
        ['ClearRollbackTarget', '(a{sv})', [opts()]],
        ['Rebase', '(a{sv}sas)', [opts({ 'skip-purge': ['b', true] }), remote.refspec, []]],
        ['KernelArgs', '(sasasasa{sv})', ['', ['compat=1'], [], [], opts({ 'lock-finalization': ['b', false] })]],
        ['SetInitramfsState', '(basa{sv})', [false, [], opts()]],
        ['Cleanup', '(as)', [['repomd', 'base']]],
        ['UpdateDeployment', '(a{sv}a{sv})', [asv({}), opts({ 'dry-run': ['b', true], 'no-overrides': ['b', true], 'apply-live': ['b', false] })]],
        ['AutomaticUpdateTrigger', '(a{sv})', [asv({ mode: ['s', 'check'], 'output-to-self': ['b', false] })]],
        ['FinalizeDeployment', '(a{sv})', [asv({ 'allow-missing-checksum': ['b', true] })]],
        ['RefreshMd', '(a{sv})', [asv({ force: ['b', false] })]],
        // Previews last: what they keep is against the deployment of the moment.
        ['DownloadRebaseRpmDiff', '(sas)', [remote.refspec, []]],
        ['DownloadDeployRpmDiff', '(sas)', [remote.commits.v1, []]],
      ],
      reads_after: [
        ['OS', 'GetCachedDeployRpmDiff', '(sas)', [remote.commits.v1, []]],
        ['OS', 'GetCachedRebaseRpmDiff', '(sas)', [remote.refspec, []]],
      ],
    };
    writeFileSync(join(work, 'rpm-ostree.xml'), rpmOstreeXml());
    writeFileSync(join(work, 'plan.json'), JSON.stringify(plan));
    const { stdout } = await run(
      '/usr/bin/python3',
      [join(REPO_ROOT, 'test/support/rpm_ostree_client.py'), bus.address, join(work, 'rpm-ostree.xml'), join(work, 'plan.json')],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    report = JSON.parse(stdout) as Report;
  });
  after(async () => {
    await daemon?.stop();
    await remote?.destroy();
    await bus?.stop();
    removePolicy();
    rmSync(work, { recursive: true, force: true });
  });

  it('reads every property of Sysroot and OS in its rpm-ostree type', () => {
    for (const iface of ['Sysroot', 'OS'] as const) {
      for (const m of RPM_OSTREE_MEMBERS.filter((x) => x.interface === iface && x.kind === 'property')) {
        assert.equal(report.properties[iface][m.name], m.in, `${iface}.${m.name}`);
      }
    }
  });

  it("calls every read method and gets rpm-ostree's reply types; ModifyYumRepo says what to do instead", () => {
    for (const [member, r] of Object.entries(report.reads)) {
      if (member === 'ModifyYumRepo' || member === 'LiveFs') continue;
      assert.equal(r.error, undefined, `${member}: ${r.error} ${r.message}`);
    }
    const diff = report.reads.GetDeploymentsRpmDiff.value as [[string, number, Record<string, unknown>][]];
    assert.ok(
      diff[0].some(([name, kind]) => name === 'base-files' && kind === 2),
      JSON.stringify(diff).slice(0, 300),
    );
    const boot = report.reads.GetDeploymentBootConfig.value as [Record<string, unknown>];
    assert.equal(boot[0].options, before0[0].kernelArgs.join(' '));
    assert.equal(boot[0].staged, false);
    assert.equal(report.reads.ModifyYumRepo.error, `${NAME}.Error.NotSupported`);
    // The deploy preview (DownloadDeployRpmDiff, then GetCachedDeployRpmDiff): 12.1's packages against the deployment of the moment.
    const [changes, details] = report.reads.GetCachedDeployRpmDiff.value as [[string, number][], Record<string, unknown>];
    assert.equal(report.reads.GetCachedDeployRpmDiff.type, '(a(sua{sv})a{sv})');
    assert.ok(
      changes.some(([name]) => name === 'base-files'),
      JSON.stringify(changes),
    );
    assert.equal(details.checksum, remote.commits.v1);
    assert.equal(details.version, '12.1');
    // The same branch: nothing to preview, an empty answer of the right type.
    assert.deepEqual(report.reads.GetCachedRebaseRpmDiff, { type: '(a(sua{sv})a{sv})', value: [[], {}] });
    assert.match(report.reads.ModifyYumRepo.message ?? '', /sources\.list\.d/);
    // OSExperimental.LiveFs is OS.ApplyLive (its `replace` key allowReplacement): here, refused as not booted.
    assert.equal(report.reads.LiveFs.error, `${NAME}.Error.Failed`, JSON.stringify(report.reads.LiveFs));
    assert.match(report.reads.LiveFs.message ?? '', /not the booted one/);
  });

  it('follows every transaction method through its peer-to-peer address to Finished, with typed progress', () => {
    const t = report.transactions;
    for (const member of [
      'DownloadUpdateRpmDiff',
      'DownloadDeployRpmDiff',
      'DownloadRebaseRpmDiff',
      'Upgrade',
      'Deploy',
      'Rollback',
      'ClearRollbackTarget',
      'Rebase',
      'KernelArgs',
      'SetInitramfsState',
      'Cleanup',
      'UpdateDeployment',
      'AutomaticUpdateTrigger',
    ]) {
      const r = t[member];
      assert.equal(r.error, undefined, `${member}: ${r.error} ${r.message}`);
      assert.match(r.address ?? '', /^unix:path=/, member);
      // The trigger starts its work at once (the policy decides): Start() reattaches, as to a running transaction.
      assert.equal(r.started, member !== 'AutomaticUpdateTrigger', `${member} started`);
      assert.deepEqual(r.finished, [true, ''], `${member}: ${JSON.stringify(r)}`);
      assert.equal(r.signals?.at(-1)?.[0], 'Finished', member);
    }
    const progress = (t.Upgrade.signals ?? []).filter(([name]) => name === 'DownloadProgress');
    assert.ok(progress.length > 0, 'DownloadProgress reached a client that checks its type');
    assert.deepEqual(progress[0], ['DownloadProgress', '((tt)(uu)(uuu)(uuut)(uu)(tt))']);
    assert.equal(t.Upgrade.title, 'upgrade');
    assert.match(t.Upgrade.description ?? '', new RegExp(`^${COMMAND_LINE} \\[uid 0 pid \\d+ \\(:1\\.\\d+\\)\\]$`), 'the command line, then who asked');
    // Not booted: nothing is staged, a named error before any transaction.
    assert.equal(t.FinalizeDeployment.error, `${NAME}.Error.NoSuchDeployment`);
    // No APT sources in this sysroot: the failure is the work's, named, after Finished.
    assert.ok(t.RefreshMd.finished !== undefined || t.RefreshMd.error?.startsWith(`${NAME}.Error.`), JSON.stringify(t.RefreshMd));
  });

  it("option keys: rpm-ostree's are accepted or refused by name (NotSupported), a wrong type or an unknown key is InvalidArgs naming it", async () => {
    const client = dbus.sessionBus({ busAddress: bus.address });
    try {
      const os = (await client.getProxyObject(NAME, '/org/projectatomic/aptostree1/debian')).getInterface(`${NAME}.OS`);
      const refused = async (call: Promise<unknown>, name: string, text: RegExp): Promise<void> =>
        assert.rejects(call, (e: dbus.DBusError) => e.type === name && text.test(e.text));
      const V = dbus.Variant;
      await refused(os.Upgrade({ 'foo-bar': new V('b', true) }), 'org.freedesktop.DBus.Error.InvalidArgs', /unknown options key "foo-bar"/);
      await refused(os.Upgrade({ reboot: new V('s', 'yes') }), 'org.freedesktop.DBus.Error.InvalidArgs', /"reboot" must be of type b/);
      // apply-live is mapped (options.applyLive); this sysroot is not the running system's.
      await refused(os.UpdateDeployment({}, { 'apply-live': new V('b', true) }), `${NAME}.Error.Failed`, /not the booted one/);
      await refused(os.UpdateDeployment({ 'install-modules': new V('as', ['x']) }, {}), `${NAME}.Error.NotSupported`, /"install-modules".*DNF modules/);
      await refused(os.UpdateDeployment({ treefile: new V('s', '/x.yaml') }, {}), `${NAME}.Error.NotSupported`, /"treefile"/);
      // Asking for nothing is always accepted: the method answers its transaction's address.
      const address = (await os.UpdateDeployment(
        { 'install-modules': new V('as', []) },
        { 'apply-live': new V('b', false), 'dry-run': new V('b', true) },
      )) as string;
      assert.match(address, /^unix:path=/);
      // This daemon's own options, in kebab-case, are accepted too.
      assert.match((await os.Upgrade({ 'no-queue': new V('b', true), check: new V('b', true) })) as string, /^unix:path=/);
    } finally {
      client.disconnect();
    }
  });

  it("deployments and the cached update carry rpm-ostree's keys in rpm-ostree's types", () => {
    const d = report.after.DefaultDeployment;
    for (const [key, type] of Object.entries({
      id: 's',
      osname: 's',
      checksum: 's',
      serial: 'i',
      timestamp: 't',
      origin: 's',
      packages: 'as',
      'requested-packages': 'as',
      'requested-local-packages': 'as',
      'requested-base-removals': 'as',
      'requested-base-local-replacements': 'as',
      'base-removals': 'av',
      'base-local-replacements': 'av',
      'initramfs-etc': 'as',
      signatures: 'av',
      'base-commit-meta': 'a{sv}',
      pinned: 'b',
      booted: 'b',
      staged: 'b',
      unlocked: 's',
      'regenerate-initramfs': 'b',
    })) {
      assert.equal(d[key], type, `DefaultDeployment ${key}`);
    }
    const u = report.after.CachedUpdate;
    for (const [key, type] of Object.entries({
      osname: 's',
      checksum: 's',
      origin: 's',
      timestamp: 't',
      'rpm-diff': 'a{sv}',
      'ref-has-new-commit': 'b',
      'gpg-enabled': 'b',
      signatures: 'av',
      advisories: 'a(suuasa{sv})',
    })) {
      assert.equal(u[key], type, `CachedUpdate ${key}: ${JSON.stringify(u)}`);
    }
  });

  it('records initiating-command-line in the history', async () => {
    const c = await JsonRpcClient.connect(daemon.socket);
    try {
      const { transactions } = await c.call<{ transactions: { method: string; params: Record<string, unknown> }[] }>('Transaction.History', {});
      const upgrade = transactions.find((x) => x.method === 'OS.Upgrade' && x.params.initiatingCommandLine !== undefined);
      assert.equal(upgrade?.params.initiatingCommandLine, COMMAND_LINE);
    } finally {
      c.close();
    }
  });
});
