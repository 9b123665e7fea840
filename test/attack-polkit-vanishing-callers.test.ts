/**
 * Attack: callers that exit before polkit answers. polkit answers such a
 * check with an error; the daemon took that for "polkit unreachable", closed its shared bus
 * connection, and the checks pending on it never settled: an authorized user's concurrent
 * requests hung (or got AuthorizationUnavailable). Required: a per-call polkit error refuses
 * that call only, the connection stays, every pending check has a timeout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { monitorCheckAuthorization } from './support/system-bus.js';
import { grantRule, SOCKET_CALLERS, socketCallAs, startPolkitFixture, type PolkitFixture } from './support/polkit-fixture.js';

const ADMIN = 'aoatk-az3';
const VANISHING = 'aoatk-az4';
const METHOD = 'Sysroot.ReloadConfig';

/** Runs socket_callers.py as `user`; resolves with its stdout once it exits. */
function callersAs(user: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', user, '--', '/usr/bin/python3', SOCKET_CALLERS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`socket_callers.py ${args[0]} exited ${code}: ${err}`))));
  });
}

describe('attack: callers that exit before polkit answers', () => {
  const dir = tempSysrootDir('aoatk-az-vanish-');
  let f: PolkitFixture;

  before(async () => {
    f = await startPolkitFixture({ users: [ADMIN, VANISHING], tag: 'aoatk-az-vanish', dir });
    f.addRules('admin', grantRule(ADMIN, ['reload-daemon']));
    // polkitd loads rules when its directory changes: wait until the grant is in force.
    await until(() => socketCallAs(ADMIN, f.daemon.socket, METHOD) === 'result', 20_000, 'the rules to be loaded');
  });
  after(async () => {
    await f?.stop();
  });

  it("300 vanishing callers beside an authorized user: every one of the user's requests is answered, and served", async () => {
    const vanishing = callersAs(VANISHING, ['vanish', f.daemon.socket, '300', METHOD]);
    // The user loops for as long as the vanishing callers run (and a little longer).
    let attackDone = false;
    void vanishing.finally(() => (attackDone = true)).catch(() => {});
    const rounds: { answered: string[]; unanswered: number }[] = [];
    while (!attackDone) {
      // Three loops side by side: several of the user's checks are pending at any time.
      const loops = [0, 1, 2].map(() => callersAs(ADMIN, ['loop', f.daemon.socket, '2', METHOD]));
      for (const out of await Promise.all(loops)) rounds.push(JSON.parse(out) as (typeof rounds)[number]);
    }
    assert.equal(await vanishing, '300\n');
    rounds.push(JSON.parse(await callersAs(ADMIN, ['loop', f.daemon.socket, '0', METHOD])) as (typeof rounds)[number]);
    const answered = rounds.flatMap((r) => r.answered);
    const unanswered = rounds.reduce((n, r) => n + r.unanswered, 0);
    assert.equal(unanswered, 0, 'no request of the user was left unanswered');
    assert.ok(answered.length >= 2, `the user made requests while the attack ran: ${answered.length}`);
    assert.deepEqual(
      answered.filter((a) => a !== 'result'),
      [],
      'every request of the authorized user was served (no AuthorizationUnavailable, no NotAuthorized)',
    );
    const unavailable = f.daemon.stderr().match(/authorization unavailable.*/g) ?? [];
    assert.deepEqual(unavailable.slice(0, 3), [], 'polkit was never taken for unreachable');
  });

  it('a check polkit does not answer ends with AuthorizationUnavailable (the check timeout, 25 s)', async () => {
    process.kill(f.polkitdPid(), 'SIGSTOP');
    try {
      assert.equal(socketCallAs(ADMIN, f.daemon.socket, METHOD), 'org.projectatomic.aptostree1.Error.AuthorizationUnavailable');
      // (runAs blocked this process: the daemon's stderr is read once the loop runs again.)
      await until(() => /authorization unavailable for uid \d+: .*no reply within 25 s/.test(f.daemon.stderr()), 5000, 'the reason in the log');
    } finally {
      process.kill(f.polkitdPid(), 'SIGCONT');
    }
    assert.equal(socketCallAs(ADMIN, f.daemon.socket, METHOD), 'result', 'the same connection serves the next check');
  });

  it('a dropped bus connection fails its pending checks at once; the next check connects again', async () => {
    process.kill(f.polkitdPid(), 'SIGSTOP');
    const monitor = await monitorCheckAuthorization(f.bus.address);
    const pending = callersAs(ADMIN, ['loop', f.daemon.socket, '0', METHOD]);
    await until(() => monitor.count() >= 1, 20_000, 'the check to reach polkitd');
    await monitor.stop();
    const dropped = Date.now();
    await f.restartBus();
    const { answered } = JSON.parse(await pending) as { answered: string[] };
    assert.deepEqual(answered, ['org.projectatomic.aptostree1.Error.AuthorizationUnavailable']);
    // Far below the 25 s the check would otherwise have waited (restarting the bus takes a moment).
    assert.ok(Date.now() - dropped < 15_000, `answered ${Date.now() - dropped} ms after the bus went away`);
    await until(() => socketCallAs(ADMIN, f.daemon.socket, METHOD) === 'result', 20_000, 'a check on the new bus to be served');
  });
});
