/**
 * Varlink on the daemon's socket: the protocol over a raw socket (pipelining, errors, oneway,
 * streaming), the generated interface descriptions (round trip, what GetInterfaceDescription
 * returns, the generator's refusals), and the real clients — systemd's varlinkctl and
 * python3-varlink from Debian trixie, fetched by test/support/varlink-clients.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { t } from '../src/api/schema-builder.js';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { varlinkFiles } from '../src/generators/varlink-idl.js';
import { formatInterface } from '../src/api/varlink-idl-syntax.js';
import { parseInterface } from '../src/generators/varlink-idl-parser.js';
import { daemonSuite } from './support/daemon-suite.js';
import { REPO_ROOT } from './support/repo-root.js';
import { varlinkClients } from './support/varlink-clients.js';

const run = promisify(execFile);
const OS = 'org.projectatomic.aptostree1.OS';
const SYSROOT = 'org.projectatomic.aptostree1.Sysroot';

type Reply = { parameters?: Record<string, unknown>; error?: string; continues?: boolean };

/** Sends `calls` on one connection (pipelined) and collects replies until `expect` final ones (without `continues`) came, or the server closed. */
function exchange(socket: string, calls: unknown[], expect: number, raw?: string): Promise<{ replies: Reply[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    const replies: Reply[] = [];
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ replies, closed: false });
    }, 5000);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\0');
      buf = parts.pop() ?? '';
      for (const p of parts) replies.push(JSON.parse(p) as Reply);
      if (expect > 0 && replies.filter((r) => r.continues !== true).length >= expect) {
        clearTimeout(timer);
        s.destroy();
        resolve({ replies, closed: false });
      }
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ replies, closed: true });
    });
    s.on('error', reject);
    s.write(raw ?? calls.map((c) => JSON.stringify(c) + '\0').join(''));
  });
}

describe('Varlink', () => {
  const suite = daemonSuite(
    (dir) => buildRemoteSysroot(join(dir, 'remote')),
    (f) => f.stop(),
  );
  const clients = varlinkClients();
  const varlinkctl = (...args: string[]) =>
    run(clients.varlinkctl[0], [...clients.varlinkctl.slice(1), ...args], { env: { ...process.env, SYSTEMD_PAGER: 'cat' } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('GetInfo and GetInterfaceDescription: exactly the checked-in interface files', async () => {
    const names = [...varlinkFiles().keys()].map((f) => f.replace(/^interfaces\//, '').replace(/\.varlink$/, ''));
    const calls = [
      { method: 'org.varlink.service.GetInfo' },
      ...names.map((n) => ({ method: 'org.varlink.service.GetInterfaceDescription', parameters: { interface: n } })),
    ];
    const { replies } = await exchange(suite.daemon.socket, calls, calls.length);
    const info = replies[0].parameters as { product: string; version: string; interfaces: string[] };
    assert.equal(info.product, 'apt-ostreed');
    assert.equal(info.version, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    assert.deepEqual([...info.interfaces].sort(), [...names, 'org.varlink.service'].sort());
    names.forEach((n, i) => {
      assert.equal(replies[i + 1].parameters?.description, readFileSync(join(REPO_ROOT, 'interfaces', `${n}.varlink`), 'utf8'), n);
    });
  });

  it('pipelined calls are answered in order; read methods answer like JSON-RPC', async () => {
    const calls = [
      { method: `${SYSROOT}.GetDeployments`, parameters: {} },
      { method: `${SYSROOT}.GetOS` },
      { method: `${OS}.GetProperties`, parameters: {} },
      { method: `${SYSROOT}.GetDeployments` },
    ];
    const { replies } = await exchange(suite.daemon.socket, calls, 4);
    const deployments = await suite.deployments();
    assert.deepEqual(replies[0], { parameters: { deployments } });
    assert.equal(replies[1].parameters?.name, 'debian');
    assert.equal((replies[2].parameters?.defaultDeployment as { id: string }).id, deployments[0].id);
    assert.deepEqual(replies[3], replies[0]);
  });

  it("errors: InterfaceNotFound, MethodNotFound, InvalidParameter naming the parameter, ExpectedMore, the table's errors", async () => {
    const calls = [
      { method: 'org.example.Nope.Call' },
      { method: `${OS}.NoSuchMethod` },
      { method: `${SYSROOT}.GetOS`, parameters: { name: 42 } },
      { method: `${OS}.Upgrade`, parameters: { allowDowngrade: 'yes' } },
      { method: `${OS}.Upgrade`, parameters: { unknownField: true } },
      { method: 'org.projectatomic.aptostree1.Transaction.Watch', parameters: { id: '00000000-0000-4000-8000-000000000000' } },
      { method: 'org.projectatomic.aptostree1.Transaction.Get', parameters: { id: '00000000-0000-4000-8000-000000000000' } },
      { method: `${OS}.GetDeploymentsAptDiff`, parameters: { from: `debian-${'0'.repeat(64)}.0`, to: `debian-${'0'.repeat(64)}.1` } },
    ];
    const { replies } = await exchange(suite.daemon.socket, calls, calls.length);
    assert.deepEqual(replies.slice(0, 6), [
      { error: 'org.varlink.service.InterfaceNotFound', parameters: { interface: 'org.example.Nope' } },
      { error: 'org.varlink.service.MethodNotFound', parameters: { method: `${OS}.NoSuchMethod` } },
      { error: 'org.varlink.service.InvalidParameter', parameters: { parameter: 'name' } },
      { error: 'org.varlink.service.InvalidParameter', parameters: { parameter: 'allowDowngrade' } },
      { error: 'org.varlink.service.InvalidParameter', parameters: { parameter: 'unknownField' } },
      { error: 'org.varlink.service.ExpectedMore', parameters: {} },
    ]);
    assert.equal(replies[6].error, 'org.projectatomic.aptostree1.Transaction.NoSuchTransaction');
    assert.equal(replies[7].error, `${OS}.NoSuchDeployment`);
    assert.match(String(replies[7].parameters?.message), /No deployment/);
  });

  it('oneway calls get no reply; a message that is not a call closes the connection', async () => {
    const { replies } = await exchange(
      suite.daemon.socket,
      [
        { method: `${SYSROOT}.GetOS`, oneway: true },
        { method: `${SYSROOT}.GetOS`, parameters: { name: '' } },
      ],
      1,
    );
    assert.equal(replies.length, 1);
    assert.equal(replies[0].parameters?.name, 'debian');
    const bad = await exchange(suite.daemon.socket, [], 0, '{"method": 5}\0');
    assert.equal(bad.closed, true);
    assert.deepEqual(bad.replies, []);
    const notJson = await exchange(suite.daemon.socket, [], 0, 'not json\0');
    assert.equal(notJson.closed, true);
  });

  it('a transaction with more streams its events, the last reply final with the result; without more one reply', async () => {
    const csum = addServerCommit(suite.fixture, { version: '12.3' });
    const { replies } = await exchange(suite.daemon.socket, [{ method: `${OS}.Upgrade`, parameters: {}, more: true }], 1);
    assert.ok(replies.length > 3, JSON.stringify(replies));
    const last = replies.at(-1) as Reply;
    assert.equal(last.continues, undefined);
    assert.equal((last.parameters?.result as { changed: boolean }).changed, true);
    const tx = last.parameters?.transaction;
    assert.match(String(tx), /^[0-9a-f-]{36}$/);
    for (const r of replies.slice(0, -1)) {
      assert.equal(r.continues, true);
      assert.equal(r.parameters?.transaction, tx);
      assert.ok(typeof (r.parameters?.event as { type: string }).type === 'string');
    }
    const types = replies.slice(0, -1).map((r) => (r.parameters?.event as { type: string }).type);
    assert.ok(types.includes('DownloadProgress') && types.includes('TaskBegin'), types.join(' '));
    assert.equal(types.at(-1), 'Finished');
    assert.equal((await suite.deployments())[0].checksum, csum);

    const once = await exchange(suite.daemon.socket, [{ method: `${OS}.Upgrade`, parameters: {} }], 1);
    assert.equal(once.replies.length, 1);
    assert.equal(once.replies[0].continues, undefined);
    assert.equal((once.replies[0].parameters?.result as { message: string }).message, 'No upgrade available.');
  });

  it('detach answers at once; Transaction.Watch with more replays the events and ends with the transaction', async () => {
    const { replies } = await exchange(suite.daemon.socket, [{ method: `${OS}.Rollback`, parameters: { detach: true } }], 1);
    const tx = replies[0].parameters?.transaction as string;
    assert.deepEqual(replies[0].parameters, { transaction: tx, result: { transaction: tx } });
    const watch = await exchange(suite.daemon.socket, [{ method: 'org.projectatomic.aptostree1.Transaction.Watch', parameters: { id: tx }, more: true }], 1);
    const last = watch.replies.at(-1) as Reply;
    assert.equal(last.parameters?.transaction, tx);
    assert.equal((last.parameters?.result as { transaction: { state: string } }).transaction.state, 'succeeded');
    const types = watch.replies.slice(0, -1).map((r) => (r.parameters?.event as { type: string }).type);
    assert.equal(types[0], 'Started');
    assert.equal(types.at(-1), 'Finished');
  });

  it('varlinkctl: info, list-interfaces, introspect, validate-idl, call, call --more, an error', async () => {
    const sock = suite.daemon.socket;
    const info = await varlinkctl('info', sock);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /Product: apt-ostreed/);
    const list = await varlinkctl('list-interfaces', sock);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), [`${OS}`, `${SYSROOT}`, 'org.projectatomic.aptostree1.Transaction', 'org.varlink.service']);
    const intro = await varlinkctl('introspect', sock, OS);
    assert.equal(intro.code, 0, intro.stderr);
    assert.match(intro.stdout, /interface org\.projectatomic\.aptostree1\.OS/);
    assert.match(intro.stdout, /method Upgrade\(/);
    for (const file of varlinkFiles().keys()) {
      const v = await varlinkctl('validate-idl', join(REPO_ROOT, file));
      assert.equal(v.code, 0, `${file}: ${v.stderr}`);
    }
    const call = await varlinkctl('call', sock, `${SYSROOT}.GetDeployments`, '{}');
    assert.equal(call.code, 0, call.stderr);
    assert.deepEqual(JSON.parse(call.stdout), { deployments: await suite.deployments() });

    addServerCommit(suite.fixture, { version: '12.4' });
    const more = await varlinkctl('call', '--more', '-j', sock, `${OS}.Upgrade`, '{}');
    assert.equal(more.code, 0, more.stderr);
    // -j with --more: JSON-SEQ, each reply after an RS (0x1e).
    const replies = more.stdout
      .replaceAll(String.fromCharCode(0x1e), '\n')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(replies.length > 3, more.stdout);
    assert.ok(replies.slice(0, -1).every((r) => r.event !== undefined));
    assert.equal((replies.at(-1)?.result as { changed: boolean }).changed, true);

    const error = await varlinkctl(
      'call',
      sock,
      `${OS}.GetDeploymentsAptDiff`,
      JSON.stringify({ from: `debian-${'0'.repeat(64)}.0`, to: `debian-${'0'.repeat(64)}.0` }),
    );
    assert.notEqual(error.code, 0);
    assert.match(error.stderr, /org\.projectatomic\.aptostree1\.OS\.NoSuchDeployment/);
  });

  it('python3-varlink: info and a call', async () => {
    const env = { ...process.env, ...clients.python.env };
    const address = `unix:${suite.daemon.socket}`;
    const info = await run(clients.python.argv[0], [...clients.python.argv.slice(1), 'info', address], { env });
    assert.match(info.stdout, /Product: apt-ostreed/);
    const call = await run(clients.python.argv[0], [...clients.python.argv.slice(1), 'call', `${address}/${SYSROOT}.GetOS`, '{}'], { env });
    assert.equal((JSON.parse(call.stdout) as { name: string }).name, 'debian');
  });
});

describe('Varlink interface descriptions', () => {
  it('parse and format again without a change', () => {
    for (const [file, text] of varlinkFiles()) assert.equal(formatInterface(parseInterface(text)), text, file);
  });

  it('the generator maps what Varlink cannot say and refuses field names it cannot carry', async () => {
    const os = varlinkFiles().get('interfaces/org.projectatomic.aptostree1.OS.varlink') ?? '';
    // Cleanup's elements (`pending-deploy` is no Varlink enum value) are strings.
    assert.match(os, /method Cleanup\([^)]*elements: \[\]string/s);
    const { VarlinkTypeError, varlinkFields } = await import('../src/api/varlink-idl.js');
    assert.throws(() => varlinkFields(t.object({ 'allow-downgrade': t.boolean() })), VarlinkTypeError);
  });
});
