/**
 * Attack: PID reuse. A user's process connects, sends a request and
 * exits while the daemon is not looking (here: stopped with SIGSTOP); a root process takes its
 * pid; the daemon then read the caller's start time from /proc — the root process's — and
 * asked polkit about that process. Everything polkit derives from the pid (the logind session,
 * whether it is active and local; here a rule that looks at the process, standing for them)
 * was the root process's. Required: the peer pinned at connect (SO_PEERPIDFD, else /proc
 * re-checked) and refused when gone or changed; over D-Bus, polkit asked about the sender's
 * unique bus name, not a pid.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { alive, until } from './support/processes.js';
import { BUS_NAME, runAs, SOCKET_CALLERS, socketCallAs, startPolkitFixture, type PolkitFixture } from './support/polkit-fixture.js';
import { monitorCheckAuthorization } from './support/system-bus.js';

const USER = 'aoatk-az5';
/** A user the rule grants outright: once it is served, polkitd has loaded the rule. */
const WITNESS = 'aoatk-az6';
const METHOD = 'Sysroot.ReloadConfig';

/** Grants reload-daemon to the user's requests when the process polkit is told about belongs to root. */
const RULE = `polkit.addRule(function(action, subject) {
  if (action.id == "org.projectatomic.aptostree.reload-daemon" && subject.user == "${WITNESS}") return polkit.Result.YES;
  if (action.id == "org.projectatomic.aptostree.reload-daemon" && subject.user == "${USER}") {
    try {
      if (polkit.spawn(["/usr/bin/stat", "-c", "%u", "/proc/" + subject.pid]).trim() == "0") return polkit.Result.YES;
    } catch (e) {}
  }
});
`;

interface Reply {
  result?: unknown;
  error?: { message: string; data?: { name?: string } };
}

/** Lines a child prints, as they come. */
function lines(child: ChildProcess): () => string[] {
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (text += d));
  return () =>
    text
      .split('\n')
      .slice(0, -1)
      .filter((l) => l !== ''); // complete lines only
}

/**
 * The attack on `daemon`: stopped, it gets a request from a user process that then exits; a
 * root process (`sleep`) takes that pid; the daemon goes on. The answer, read by a child the
 * user process left holding the connection.
 */
async function requestFromReusedPid(daemon: DaemonHandle): Promise<Reply> {
  const daemonPid = daemon.process.pid as number;
  let decoy: ChildProcess | undefined;
  process.kill(daemonPid, 'SIGSTOP');
  try {
    const attacker = spawn('runuser', ['-u', USER, '--', '/usr/bin/python3', SOCKET_CALLERS, 'orphan', daemon.socket, METHOD], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = lines(attacker);
    await until(() => out().length >= 1, 20_000, 'the user process to send its request');
    const pid = Number(out()[0]);
    await until(() => !alive(pid), 10_000, 'the user process to exit');
    // The next pid the kernel hands out is ns_last_pid + 1: other processes on the machine may
    // take it first, so try until the root process gets it (or the pid is taken for good).
    for (let attempt = 0; attempt < 50 && decoy?.pid !== pid; attempt++) {
      decoy?.kill('SIGKILL');
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      decoy = spawn('sleep', ['300'], { stdio: 'ignore' });
    }
    assert.equal(decoy?.pid, pid, 'a root process took the pid of the user process');
    process.kill(daemonPid, 'SIGCONT');
    await until(() => out().length >= 2, 60_000, 'the answer');
    return JSON.parse(out()[1]) as Reply;
  } finally {
    process.kill(daemonPid, 'SIGCONT');
    decoy?.kill('SIGKILL');
  }
}

describe('attack: PID reuse', () => {
  const dir = tempSysrootDir('aoatk-az-pid-');
  let f: PolkitFixture;
  let fallback: DaemonHandle | undefined;

  before(async () => {
    f = await startPolkitFixture({ users: [USER, WITNESS], tag: 'aoatk-az-pid', dir });
    f.addRules('root-process', RULE);
    await until(() => socketCallAs(WITNESS, f.daemon.socket, METHOD) === 'result', 20_000, 'polkitd to load the rule');
  });
  after(async () => {
    await fallback?.stop();
    await f?.stop();
  });

  it("the user's own request is refused: the rule grants nothing to a process of the user", () => {
    assert.equal(socketCallAs(USER, f.daemon.socket, METHOD), 'org.projectatomic.aptostree1.Error.NotAuthorized');
  });

  it('a request whose pid a root process took is refused (SO_PEERPIDFD)', async () => {
    const reply = await requestFromReusedPid(f.daemon);
    assert.equal(reply.error?.data?.name, 'org.projectatomic.aptostree1.Error.NotAuthorized', JSON.stringify(reply));
    assert.match(reply.error?.message ?? '', /the calling process has exited/);
  });

  it('the same without SO_PEERPIDFD (kernels before 6.5: /proc read at accept and re-checked)', async () => {
    // A second daemon on the same bus: it cannot own the bus name, its socket serves.
    fallback = await startDaemon({ sysroot: f.sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: f.bus.address, APT_OSTREED_PEER_PIDFD: '0' } });
    const reply = await requestFromReusedPid(fallback);
    assert.equal(reply.error?.data?.name, 'org.projectatomic.aptostree1.Error.NotAuthorized', JSON.stringify(reply));
    assert.match(reply.error?.message ?? '', /the calling process is gone: its pid now names another process/);
  });

  it("each connection's pidfd is closed with the connection", async () => {
    const pidfds = (): number =>
      readdirSync(`/proc/${f.daemon.process.pid}/fd`).filter((fd) => {
        try {
          return readlinkSync(`/proc/${f.daemon.process.pid}/fd/${fd}`) === 'anon_inode:[pidfd]';
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    const idle = pidfds();
    const sockets = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<Socket>((resolve, reject) =>
            createConnection(f.daemon.socket)
              .once('connect', function (this: Socket) {
                resolve(this);
              })
              .once('error', reject),
          ),
      ),
    );
    await until(() => pidfds() === idle + 20, 10_000, 'a pidfd per connection');
    for (const s of sockets) s.destroy();
    await until(() => pidfds() === idle, 10_000, 'the pidfds to be closed');
  });

  it("over D-Bus, polkit is asked about the sender's unique bus name, not a pid", async () => {
    const monitor = await monitorCheckAuthorization(f.bus.address);
    try {
      const os = '/org/projectatomic/aptostree1/debian';
      const refused = runAs(USER, ['gdbus', 'call', '--address', f.bus.address, '-d', BUS_NAME, '-o', os, '-m', `${BUS_NAME}.OS.Rollback`, '{}']);
      assert.match(refused.stderr, /org\.projectatomic\.aptostree1\.Error\.NotAuthorized/);
      await until(() => monitor.count() >= 1, 10_000, 'the check');
      assert.match(monitor.text(), /string "system-bus-name"[\s\S]*string "name"\s+variant\s+string ":1\.\d+"/);
      assert.doesNotMatch(monitor.text(), /unix-process/);
    } finally {
      await monitor.stop();
    }
  });
});
