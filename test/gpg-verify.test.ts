/**
 * A remote with `gpg-verify=true`: the upgrade to a commit signed by a key in the remote's
 * keyring reports its signature (`SignatureProgress`: over D-Bus as rpm-ostree's
 * `SignatureProgress(av, s)` to a client that checks the type; over JSON-RPC as the event), and
 * a commit signed by an unknown key, or not signed, fails the pull with `SignatureInvalid` and
 * changes nothing. Real gpg keys, real signed commits (`ostree gpg-sign`), a real HTTP remote.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import type { Deployment } from '../src/api/types/deployment.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { BUS_POLICY_TARGET, installFile, nameHasOwner, startSystemBus, type TestBus } from './support/system-bus.js';

const run = promisify(execFile);

/** A signing key in its own GNUPGHOME: its fingerprint and armored public key file. */
function makeKey(home: string, name: string): { fingerprint: string; publicKey: string } {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  execFileSync(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.invalid>`, 'ed25519', 'sign', 'never'],
    {
      env,
      stdio: 'ignore',
    },
  );
  const fingerprint = execFileSync('gpg', ['--list-keys', '--with-colons'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .find((l) => l.startsWith('fpr:'))
    ?.split(':')[9];
  assert.ok(fingerprint !== undefined);
  const publicKey = join(home, 'public.asc');
  execFileSync('gpg', ['--armor', '--output', publicKey, '--export', fingerprint], { env });
  return { fingerprint, publicKey };
}

describe('a remote that verifies GPG signatures', () => {
  const dir = tempSysrootDir();
  const work = mkdtempSync(join(tmpdir(), 'apt-ostreed-gpg-'));
  let remote: RemoteSysroot;
  let bus: TestBus;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;
  let removePolicy = (): void => {};
  let trusted: { fingerprint: string; publicKey: string };
  let stranger: { fingerprint: string; publicKey: string };
  const sign = (commit: string, home: string, key: string): void => {
    execFileSync('ostree', [`--repo=${remote.serverRepo}`, 'gpg-sign', `--gpg-homedir=${home}`, commit, key]);
  };
  const deployments = async (): Promise<Deployment[]> => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;

  before(async () => {
    trusted = makeKey(join(work, 'trusted'), 'trusted');
    stranger = makeKey(join(work, 'stranger'), 'stranger');
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    execFileSync('ostree', [`--repo=${remote.repo}`, 'config', 'set', `remote "${remote.remote}".gpg-verify`, 'true']);
    execFileSync('ostree', [`--repo=${remote.repo}`, 'remote', 'gpg-import', remote.remote, '-k', trusted.publicKey]);
    removePolicy = installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET);
    bus = await startSystemBus(work);
    daemon = await startDaemon({ sysroot: remote.sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    await until(() => nameHasOwner(bus.address, 'org.projectatomic.aptostree1'), 10_000, 'the daemon to own its bus name');
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
    await bus?.stop();
    removePolicy();
    await remote?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it('an unsigned commit, and one signed by a key the remote does not trust, fail with SignatureInvalid and change nothing', async () => {
    const before = await deployments();
    addServerCommit(remote, { version: '12.3' });
    await assert.rejects(client.call('OS.Upgrade', {}), (e: RemoteError) => e.errorName === 'SignatureInvalid');
    const foreign = addServerCommit(remote, { version: '12.4' });
    sign(foreign, join(work, 'stranger'), stranger.fingerprint);
    await assert.rejects(client.call('OS.Upgrade', {}), (e: RemoteError) => {
      assert.equal(e.errorName, 'SignatureInvalid', e.message);
      assert.match(e.message, /gpg-import/);
      return true;
    });
    assert.deepEqual(await deployments(), before);
  });

  it("a commit signed by the remote's key: SignatureProgress(av, s) over D-Bus, in rpm-ostree's type, with the signature's details", async () => {
    const signed = addServerCommit(remote, { version: '12.5' });
    sign(signed, join(work, 'trusted'), trusted.fingerprint);
    const { stdout } = await run('/usr/bin/python3', [join(REPO_ROOT, 'test', 'support', 'dbus_transaction_client.py'), bus.address, 'Upgrade'], {
      timeout: 150_000,
    });
    const r = JSON.parse(stdout) as { events: [string, unknown][]; types: Record<string, string> };
    assert.equal(r.types.SignatureProgress, '(avs)');
    assert.deepEqual(
      r.events.find((e) => e[0] === 'Finished'),
      ['Finished', [true, '']],
    );
    const progress = r.events.find((e) => e[0] === 'SignatureProgress') as [string, [unknown[][], string]] | undefined;
    assert.ok(progress !== undefined, JSON.stringify(r.events.map((e) => e[0])));
    const [signatures, commit] = progress[1];
    assert.equal(commit, signed);
    assert.equal(signatures.length, 1);
    const [valid, sigExpired, keyExpired, keyRevoked, keyMissing, fingerprint] = signatures[0];
    assert.deepEqual([valid, sigExpired, keyExpired, keyRevoked, keyMissing], [true, false, false, false, false]);
    assert.ok(
      trusted.fingerprint.endsWith(String(fingerprint)) || String(fingerprint) === trusted.fingerprint,
      `${String(fingerprint)} vs ${trusted.fingerprint}`,
    );
    assert.equal((await deployments())[0].checksum, signed);
  });
});
