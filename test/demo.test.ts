/**
 * The README's demo command, run the way `npm run demo` runs it (minus the setup step): the
 * demo sysroot follows an OSTree remote on 127.0.0.1 that has an update, layers from a local APT
 * repository, and the commands the demo prints work as printed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { removeSysroot } from '../src/demo/sysroot-builder.js';
import { alive, processesMentioning, until } from './support/processes.js';
import { CLI_BIN, REPO_ROOT } from './support/repo-root.js';

const DEMO_RUN = join(REPO_ROOT, 'scripts', 'demo-run.sh');

describe('the demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DIR: dir };
  delete env.APT_OSTREE_SOCKET;
  after(async () => {
    for (const pid of processesMentioning(dir)) process.kill(pid, 'SIGTERM');
    await until(() => processesMentioning(dir).length === 0, 10_000, 'the demo processes to stop');
    removeSysroot(dir);
  });

  it('builds the demo, layers hello and jq on first run, shows status and socat + jq queries, then stops', () => {
    const run = () => spawnSync('bash', [DEMO_RUN], { env: { ...env, DEMO_NO_WAIT: '1' }, encoding: 'utf8', timeout: 120_000 });
    const first = run();
    assert.equal(first.status, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /The OSTree remote 'origin' is http:\/\/127\.0\.0\.1:\d+ /);
    assert.match(first.stdout, /^First run: layering hello and jq/m);
    assert.match(first.stdout, /^Packages added hello, jq: 12\.2 /m);
    assert.match(first.stdout, /State: idle\nAutomaticUpdates: none\nDeployments:\n/);
    assert.match(first.stdout, /LayeredPackages: hello jq/);
    assert.match(first.stdout, /"pinned":true/);
    assert.match(first.stdout, /"rollback": "debian-[0-9a-f]{64}\.0"/);
    assert.match(first.stdout, /"code":-32602/);
    assert.ok(existsSync(join(dir, '.complete')));
    assert.equal(existsSync(join(dir, 'apt-ostreed.sock')), false, 'the daemon stopped and removed its socket');
    assert.deepEqual(processesMentioning(dir), [], 'the remote server stopped too');
    // A second run reuses the demo: nothing layered again.
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /First run/);
    assert.match(second.stdout, /State: idle/);
    assert.match(second.stdout, /LayeredPackages: hello jq/);
  });

  it('keeps running; every apt-ostree command it prints works as printed; Ctrl-C stops the daemon and the remote', async () => {
    const demo = spawn('bash', [DEMO_RUN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    demo.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((done) => demo.on('exit', (code) => done(code)));
    await until(() => /ostree admin status --sysroot=/.test(out), 60_000, 'the demo to print its hints');

    const socket = /^ {2}export APT_OSTREE_SOCKET=(\S+)$/m.exec(out)?.[1];
    assert.equal(socket, join(dir, 'apt-ostreed.sock'));
    const hints = [...out.matchAll(/^ {2}bin\/apt-ostree (.+?)(?: +# .*)?$/gm)].map((m) => m[1]);
    assert.deepEqual(hints.slice(0, 5), ['upgrade --check', 'upgrade', 'install cowsay', 'db diff', 'uninstall cowsay']);
    const hasOverride = spawnSync(CLI_BIN, ['--help'], { encoding: 'utf8' }).stdout.includes('override');
    const expected: Record<string, RegExp> = {
      'upgrade --check': /^Update available: 12\.3 \([0-9a-f]{10}\)/m,
      upgrade: /^Upgraded to 12\.3 /m,
      'install cowsay': /^Packages added cowsay: 12\.3 /m,
      'db diff': /^Added:\n {2}cowsay 3\.03\+dfsg2-8 \(all\)$/m,
      'uninstall cowsay': /^Packages removed cowsay: 12\.3 /m,
      'override remove nano': /nano/,
      rollback: /^Rolled back to 12\.3 /m,
      history: /Succeeded/i,
      'status --json': /"deployments"/,
    };
    for (const hint of hints) {
      if (hint.startsWith('override') && !hasOverride) continue;
      const r: SpawnSyncReturns<string> = spawnSync(CLI_BIN, hint.split(' '), {
        cwd: REPO_ROOT,
        env: { ...env, APT_OSTREE_SOCKET: socket },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.status, 0, `${hint}: ${r.stderr}${r.stdout}`);
      assert.ok(expected[hint] !== undefined, `no expectation for the hint ${hint}`);
      assert.match(r.stdout, expected[hint], hint);
    }

    demo.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(alive(demo.pid!), false);
    assert.equal(existsSync(socket!), false, 'the daemon stopped and removed its socket');
    await until(() => processesMentioning(dir).length === 0, 10_000, 'the daemon and the remote to stop');
  });
});
