/**
 * `npm run bench`: each performance figure beside a baseline measured in the same run, as a
 * ratio (the machines are noisy; absolute numbers mean little). Exits 0 when it ran; a missed
 * target shows as "MISSED" in the table, not in the exit code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { buildStandardSysroot, removeSysroot } from '../src/demo/sysroot-builder.js';
import type { BenchResults, BenchRow, BenchRun } from '../src/generators/bench-results-doc.js';
import type { BenchTools } from './bench-tools.js';
import { bigUpgradeFigures } from './big-upgrade-bench.js';
import { cliStatusFigures } from './cli-status-bench.js';
import { dbusFigures } from './dbus-bench.js';
import { floodFigures } from './flood-bench.js';
import { idleFigures } from './idle-bench.js';
import { layeringFigures } from './layering-bench.js';
import { rssMb } from './process-stats.js';
import { startupFigures } from './startup-bench.js';
import { vmFigures } from './vm-bench.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DAEMON = join(ROOT, 'bin', 'apt-ostreed');
const ECHO = join(ROOT, 'dist', 'bench', 'baseline-echo.js');
const REQUEST = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n';

/** A row of the table; the results file adds which run measured it. */
type Row = Omit<BenchRow, 'run'>;
const rows: Row[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 0..n-1 in random order. */
const shuffled = (n: number) => {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function waitForSocket(path: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      (await connect(path)).destroy();
      return;
    } catch {
      await sleep(10);
    }
  }
  throw new Error(`nothing listens on ${path}`);
}

/** Sends one line and resolves with the time until the first full reply line. */
function roundTrip(socket: Socket, line: string, end = '\n'): Promise<number> {
  return new Promise((resolve) => {
    let got = '';
    const t0 = process.hrtime.bigint();
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.includes(end)) {
        socket.off('data', onData);
        resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    };
    socket.on('data', onData);
    socket.write(line);
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One connect → first reply through systemd-socket-activate (the process starts on the connection). */
async function coldStartOnce(argv: string[], sock: string, request: string): Promise<number> {
  // Not pinned: a starting process may use every core (the bench only waits meanwhile).
  const child = spawn('systemd-socket-activate', ['-l', sock, ...argv], { stdio: 'ignore' });
  // Wait until systemd-socket-activate has bound the socket; it execs the command on the first connection.
  // /proc/net/unix shows the socket at bind(), slightly before listen(): retry a refused connect.
  try {
    while (!readFileSync('/proc/net/unix', 'utf8').includes(sock)) await sleep(5);
    let t0 = process.hrtime.bigint();
    let socket: Socket | undefined;
    while (socket === undefined) {
      t0 = process.hrtime.bigint();
      socket = await connect(sock).catch(() => sleep(2).then(() => undefined));
    }
    await roundTrip(socket, request);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    socket.destroy();
    return ms;
  } finally {
    await stop(child);
  }
}

/** Median cold start of each command, alternating runs between them. */
async function coldStart(argvs: string[][], dir: string, runs: number, request = REQUEST): Promise<number[]> {
  const times: number[][] = argvs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const k of shuffled(argvs.length)) {
      times[k].push(await coldStartOnce(argvs[k], join(dir, `cold-${i}-${k}.sock`), request));
    }
  }
  return times.map(median);
}

/**
 * p50 latency of sequential requests, one connection to each server, alternating between
 * them request by request: the machine's state (frequency, core placement) drifts over
 * seconds, and measuring one server after the other measured that drift, not the servers.
 */
async function latencyP50(paths: string[], n: number): Promise<number[]> {
  const sockets = await Promise.all(paths.map(connect));
  for (let i = 0; i < 300; i++) for (const s of sockets) await roundTrip(s, REQUEST); // warm up
  const times: number[][] = paths.map(() => []);
  for (let i = 0; i < n; i++) {
    // Random order within each round: whichever goes first after the other has run is favoured.
    for (const k of shuffled(sockets.length)) times[k].push(await roundTrip(sockets[k], REQUEST));
  }
  for (const s of sockets) s.destroy();
  return times.map(median);
}

const VARLINK_REQUEST = '{"method":"org.projectatomic.aptostree1.Sysroot.GetDeployments","parameters":{}}\0';

/** p50 of GetDeployments over Varlink and over JSON-RPC: one connection each to the same daemon, interleaved. */
async function varlinkVsJsonRpc(path: string, n: number): Promise<{ varlink: number; jsonRpc: number }> {
  const [v, j] = await Promise.all([connect(path), connect(path)]);
  const calls = [() => roundTrip(v, VARLINK_REQUEST, '\0'), () => roundTrip(j, REQUEST)];
  for (let i = 0; i < 300; i++) for (const c of calls) await c(); // warm up
  const times: number[][] = [[], []];
  for (let i = 0; i < n; i++) for (const k of shuffled(2)) times[k].push(await calls[k]());
  v.destroy();
  j.destroy();
  return { varlink: median(times[0]), jsonRpc: median(times[1]) };
}

/** Requests per second with `clients` connections, each with one request in flight. */
async function throughputWindow(path: string, clients: number, ms: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(path)));
  let done = 0;
  const deadline = Date.now() + ms;
  await Promise.all(
    sockets.map(async (s) => {
      while (Date.now() < deadline) {
        await roundTrip(s, REQUEST);
        done++;
      }
    }),
  );
  for (const s of sockets) s.destroy();
  return (done * 1000) / ms;
}

/** Throughput of each server, in alternating windows, as the median window. */
async function throughput(paths: string[], clients: number): Promise<number[]> {
  const rates: number[][] = paths.map(() => []);
  for (let round = 0; round < 6; round++) {
    for (const k of shuffled(paths.length)) rates[k].push(await throughputWindow(paths[k], clients, 400));
  }
  return rates.map(median);
}

const execFileAsync = promisify(execFile);
const CLI = join(ROOT, 'bin', 'apt-ostree');

/** Times an async step in ms. */
async function timed(step: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await step();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Sends one JSON-RPC request on a new connection and resolves with its response line. */
async function rpc(sock: string, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const socket = await connect(sock);
  let text = '';
  socket.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    socket.on('data', (d: string) => {
      text += d;
      for (const line of text.split('\n').slice(0, -1)) {
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('id' in message) {
          socket.destroy();
          if ('error' in message) reject(new Error(JSON.stringify(message.error)));
          else resolve(message);
        }
      }
    });
    socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n');
  });
}

/** A commit of `files` small files, as an update both sides pull. */
function bulkyUpdate(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`usr/share/bench/${i}`, `bench file ${i}\n`.repeat(64)]));
}

/**
 * OS.Upgrade through a running daemon vs. `ostree pull` + `ostree admin deploy` by hand, and
 * `apt-ostree rollback` vs. `ostree admin deploy` of the rollback commit, on identical fresh
 * sysroots in each round (every fixture is built from the same trees, timestamps and remote
 * content, so both sides pull and deploy the very same commit).
 */
async function transactionFigures(dir: string): Promise<void> {
  const upgrade: number[][] = [[], []];
  const rollback: number[][] = [[], []];
  const kargs: number[][] = [[], []];
  const kargsRpc: number[][] = [[], []];
  const nodeStart: number[] = [];
  const files = bulkyUpdate(1500);
  for (let round = 0; round < 5; round++) {
    const [a, b] = await Promise.all([buildRemoteSysroot(join(dir, `tx-a${round}`)), buildRemoteSysroot(join(dir, `tx-b${round}`))]);
    const sock = join(dir, `tx-${round}.sock`);
    const daemon = spawn(
      process.execPath,
      [DAEMON, '--sysroot', a.sysroot, '--socket', sock, '--config', '/dev/null', '--state-dir', join(dir, `tx-state${round}`)],
      { stdio: 'ignore' },
    );
    try {
      await waitForSocket(sock);
      const update = { version: '12.9', files, timestamp: a.timestamps.v2 + 86_400 };
      const ca = addServerCommit(a, update);
      const cb = addServerCommit(b, update);
      if (ca !== cb) throw new Error('the two fixtures made different commits');
      const byHand = () =>
        timed(async () => {
          await execFileAsync('ostree', ['pull', `--repo=${b.repo}`, b.remote, b.ref]);
          await execFileAsync('ostree', ['admin', 'deploy', `--sysroot=${b.sysroot}`, `--os=${b.osname}`, b.refspec]);
        });
      const viaDaemon = () => timed(() => rpc(sock, 'OS.Upgrade'));
      const order = shuffled(2);
      for (const k of order) upgrade[k].push(await (k === 0 ? byHand() : viaDaemon()));
      // Now both have [update, v2, v1]: roll back to v2.
      const rollbackByHand = () => timed(() => execFileAsync('ostree', ['admin', 'deploy', `--sysroot=${b.sysroot}`, `--os=${b.osname}`, b.commits.v2]));
      const rollbackViaCli = () => timed(() => execFileAsync(process.execPath, [CLI, '--socket', sock, 'rollback']));
      for (const k of shuffled(2)) rollback[k].push(await (k === 0 ? rollbackByHand() : rollbackViaCli()));
      // Both defaults are v2 now: append a kernel argument.
      const kargsByHand = () =>
        timed(() => execFileAsync('ostree', ['admin', 'deploy', `--sysroot=${b.sysroot}`, `--os=${b.osname}`, '--karg-append=bench=1', b.commits.v2]));
      const kargsViaCli = () => timed(() => execFileAsync(process.execPath, [CLI, '--socket', sock, 'kargs', '--append', 'bench=1']));
      for (const k of shuffled(2)) kargs[k].push(await (k === 0 ? kargsByHand() : kargsViaCli()));
      // The same without the CLI process: what the daemon itself costs, and node's bare start for comparison.
      const kargsViaRpc = () => timed(() => rpc(sock, 'OS.KernelArgs', { append: ['bench2=1'] }));
      const kargsByHand2 = () =>
        timed(() => execFileAsync('ostree', ['admin', 'deploy', `--sysroot=${b.sysroot}`, `--os=${b.osname}`, '--karg-append=bench2=1', b.commits.v2]));
      for (const k of shuffled(2)) kargsRpc[k].push(await (k === 0 ? kargsByHand2() : kargsViaRpc()));
      nodeStart.push(await timed(() => execFileAsync(process.execPath, ['-e', '0'])));
    } finally {
      await stop(daemon);
      await a.destroy();
      await b.destroy();
    }
  }
  add('OS.Upgrade via the daemon vs ostree pull + admin deploy by hand (1500-file update)', median(upgrade[1]), median(upgrade[0]), 'ms', 1.1);
  add('apt-ostree rollback (CLI) vs ostree admin deploy of the rollback commit', median(rollback[1]), median(rollback[0]), 'ms', 1.2);
  add('apt-ostree kargs --append (CLI) vs ostree admin deploy --karg-append', median(kargs[1]), median(kargs[0]), 'ms', 1.2);
  add('OS.KernelArgs over the socket (no CLI process) vs ostree admin deploy --karg-append', median(kargsRpc[1]), median(kargsRpc[0]), 'ms', null);
  add('a bare `node -e 0` start (the floor of any node CLI) vs ostree admin deploy --karg-append', median(nodeStart), median(kargs[0]), 'ms', null);
}

/** A figure in its unit, with as many decimals as the unit deserves. */
function formatted(value: number, unit: string): string {
  const decimals = unit === 'wake-ups' || unit === 'req/s' ? 0 : unit === 'MB' || unit === 's' || unit === '%' ? 2 : 3;
  return `${value.toFixed(decimals)} ${unit}`;
}

function add(figure: string, value: number, baseline: number, unit: string, target: number | null, higherIsBetter = false) {
  const ratio = baseline === 0 ? null : value / baseline;
  rows.push({
    figure,
    value: formatted(value, unit),
    baseline: formatted(baseline, unit),
    ratio,
    target: target === null ? '—' : `${higherIsBetter ? '≥' : '≤'} ${target}×`,
    met: target === null || ratio === null ? null : higherIsBetter ? ratio >= target : ratio <= target,
  });
}

function addWithLimit(figure: string, value: number, baseline: number, unit: string, limit: number) {
  rows.push({
    figure,
    value: formatted(value, unit),
    baseline: formatted(baseline, unit),
    ratio: baseline === 0 ? null : value / baseline,
    target: `≤ ${limit} ${unit}`,
    met: value <= limit,
  });
}

/**
 * With two or more CPUs, the bench (the client) runs on CPU 0 and every server on CPU 1, so
 * the daemon and its baseline see the same placement: round trips between two processes
 * differ by 2x depending on whether they share a core, which would swamp the comparison.
 */
const CPUS = availableParallelism();
const pinServer = (argv: string[]) => (CPUS >= 2 ? ['taskset', '-c', '1', ...argv] : argv);

/** `node dist/bench/bench.js PART` runs one part alone: idle, cli, layering, startup, upgrade, dbus, flood, varlink, vm (only alone). */
const only = process.argv[2];
const tools: BenchTools = { root: ROOT, daemonBin: DAEMON, cliBin: CLI, echoBin: ECHO, waitForSocket, stop, timed, shuffled, median, add, addWithLimit };
const PARTS: Record<string, (dir: string, t: BenchTools) => Promise<void>> = {
  idle: (dir) => idleSection(dir),
  cli: cliStatusFigures,
  layering: layeringFigures,
  startup: startupFigures,
  upgrade: bigUpgradeFigures,
  dbus: dbusFigures,
  flood: floodFigures,
  // Opt-in (npm run bench -- vm): the booted test machine, ~10 min under TCG.
  vm: vmFigures,
};

/**
 * Idle: a fresh daemon after what `apt-ostree status` asks (libostree loaded), then idle, beside
 * a fresh bare node echo server after one round trip, then idle: RSS, then CPU and wake-ups
 * over the same 30 s.
 */
async function idleSection(dir: string): Promise<void> {
  const sysroot = join(dir, 'idle-sysroot');
  buildStandardSysroot(sysroot);
  const idleDaemonSock = join(dir, 'idle-daemon.sock');
  const idleEchoSock = join(dir, 'idle-echo.sock');
  const [idleDaemonCmd, ...idleDaemonArgs] = pinServer([process.execPath, DAEMON, '--sysroot', sysroot, '--config', '/dev/null', '--socket', idleDaemonSock]);
  const [idleEchoCmd, ...idleEchoArgs] = pinServer([process.execPath, ECHO, idleEchoSock]);
  const idleDaemon = spawn(idleDaemonCmd, idleDaemonArgs, { stdio: 'ignore' });
  const idleEcho = spawn(idleEchoCmd, idleEchoArgs, { stdio: 'ignore' });
  try {
    await waitForSocket(idleDaemonSock);
    await waitForSocket(idleEchoSock);
    const statusConn = await connect(idleDaemonSock);
    await roundTrip(statusConn, '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetProperties"}\n');
    await roundTrip(statusConn, '{"jsonrpc":"2.0","id":2,"method":"OS.GetProperties"}\n');
    statusConn.destroy();
    const echoConn = await connect(idleEchoSock);
    await roundTrip(echoConn, REQUEST);
    echoConn.destroy();
    await sleep(1500);
    add('RSS 1.5 s after a status query vs a bare node process (before V8 trims)', rssMb(idleDaemon.pid as number), rssMb(idleEcho.pid as number), 'MB', null);
    await idleFigures(idleDaemon.pid as number, idleEcho.pid as number, tools);
  } finally {
    await Promise.all([stop(idleDaemon), stop(idleEcho)]);
  }
}

async function main(): Promise<void> {
  if (CPUS >= 2) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-bench-'));
  const sysroot = join(dir, 'sysroot');
  const children: ChildProcess[] = [];
  try {
    const part = only === undefined ? undefined : PARTS[only];
    if (part !== undefined) {
      await part(dir, tools);
      report(only);
      return;
    }
    if (only === 'varlink') {
      const sock = join(dir, 'varlink.sock');
      const [cmd, ...args] = pinServer([process.execPath, DAEMON, '--sysroot', sysroot, '--config', '/dev/null', '--socket', sock]);
      buildStandardSysroot(sysroot);
      const d = spawn(cmd, args, { stdio: 'ignore' });
      children.push(d);
      await waitForSocket(sock);
      const r = await varlinkVsJsonRpc(sock, 3000);
      add('Sysroot.GetDeployments p50 over Varlink vs JSON-RPC (same daemon and socket)', r.varlink, r.jsonRpc, 'ms', 1.1);
      report(only);
      return;
    }
    buildStandardSysroot(sysroot);
    const daemonArgv = [process.execPath, DAEMON, '--sysroot', sysroot, '--config', '/dev/null', '--socket', join(dir, 'unused.sock')];
    const echoArgv = [process.execPath, ECHO];
    const runs = 11;

    // 1. Cold start, socket-activated: daemon vs. a bare node process doing the same echo.
    await coldStart([echoArgv, daemonArgv], dir, 2); // warm the page cache
    const [coldEcho, coldDaemon] = await coldStart([echoArgv, daemonArgv], dir, runs);
    add('cold start: connect → first reply (GetDeployments), socket-activated', coldDaemon, coldEcho, 'ms', 1.5);
    // The same without the sysroot: loading libostree and its 61 libraries is most of the gap above.
    const notFound = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.NoSuchMethod"}\n';
    const [coldEcho2, coldDaemon2] = await coldStart([echoArgv, daemonArgv], dir, runs, notFound);
    add('cold start: connect → first reply not touching the sysroot (-32601)', coldDaemon2, coldEcho2, 'ms', 1.5);

    // 2. Warm latency and throughput against a bare NDJSON echo server on the same kind of socket.
    const daemonSock = join(dir, 'daemon.sock');
    const echoSock = join(dir, 'echo.sock');
    const [daemonCmd, ...daemonArgs] = pinServer([...daemonArgv.slice(0, -1), daemonSock]);
    const [echoCmd, ...echoArgs] = pinServer([...echoArgv, echoSock]);
    const daemon = spawn(daemonCmd, daemonArgs, { stdio: 'ignore' });
    const echo = spawn(echoCmd, echoArgs, { stdio: 'ignore' });
    children.push(daemon, echo);
    await waitForSocket(daemonSock);
    await waitForSocket(echoSock);
    const [p50Echo, p50Daemon] = await latencyP50([echoSock, daemonSock], 3000);
    add('Sysroot.GetDeployments p50 latency, one client', p50Daemon, p50Echo, 'ms', 1.3);
    const overVarlink = await varlinkVsJsonRpc(daemonSock, 3000);
    add('Sysroot.GetDeployments p50 over Varlink vs JSON-RPC (same daemon and socket)', overVarlink.varlink, overVarlink.jsonRpc, 'ms', 1.1);
    for (const clients of [1, 8, 64]) {
      const [echoRps, daemonRps] = await throughput([echoSock, daemonSock], clients);
      add(`requests/s, ${clients} concurrent client${clients > 1 ? 's' : ''}`, daemonRps, echoRps, 'req/s', null, true);
    }

    // 3. Idle: RSS, CPU and wake-ups.
    await idleSection(dir);
    // For information: the daemon that served the load above, and the same bare server.
    add('RSS after the load above (not idle-trimmed)', rssMb(daemon.pid as number), rssMb(echo.pid as number), 'MB', null);
    // 4. The CLI's own start: apt-ostree status as a whole process.
    await cliStatusFigures(dir, tools);
    // 5. Transactions: start-up, small updates, rollback, kargs; then a debootstrap-sized upgrade.
    await startupFigures(dir, tools);
    await transactionFigures(dir);
    await bigUpgradeFigures(dir, tools);
    // 6. Package layering.
    await layeringFigures(dir, tools);
    // 7. The D-Bus shim beside the socket's protocols.
    await dbusFigures(dir, tools);
    // 8. A root read while one user floods.
    await floodFigures(dir, tools);
  } finally {
    await Promise.all(children.map(stop));
    removeSysroot(dir);
  }

  report();
}

/** Where the JSON copy of the table goes: `--json PATH`, else bench-results.json at the repository's root (docs/performance.md shows it). */
const JSON_OUT = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : join(ROOT, 'bench-results.json');
const STARTED = Date.now();

/** The results file as it is, or none when it is missing or not in this shape. */
function previousResults(): BenchResults | null {
  try {
    const r = JSON.parse(readFileSync(JSON_OUT, 'utf8')) as BenchResults;
    return Array.isArray(r.runs) && Array.isArray(r.rows) ? r : null;
  } catch {
    return null;
  }
}

/**
 * The table on stdout and the same rows, with the machine they were measured on, as JSON. A
 * whole run replaces the file; a run of one part replaces only its own rows (by figure) and
 * keeps the others with the run that measured them.
 */
function report(part?: string): void {
  printTable();
  const machine = { cpus: CPUS, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
  const before = part === undefined ? null : previousResults();
  const id = before === null ? 1 : Math.max(0, ...before.runs.map((r) => r.id)) + 1;
  const run: BenchRun = { id, measuredAt: new Date().toISOString(), machine, part: part ?? 'all', minutes: Math.round((Date.now() - STARTED) / 6000) / 10 };
  const fresh = rows.map((r) => ({ ...r, run: id }));
  const kept = (before?.rows ?? []).map((old) => fresh.find((r) => r.figure === old.figure) ?? old);
  const merged = [...kept, ...fresh.filter((r) => !kept.includes(r))];
  const runs = [...(before?.runs ?? []), run].filter((r) => merged.some((row) => row.run === r.id));
  writeFileSync(JSON_OUT, JSON.stringify({ runs, rows: merged } satisfies BenchResults, null, 2) + '\n');
  console.log(`\n(the same as JSON: ${JSON_OUT}; \`npm run generate\` puts it in docs/performance.md)`);
}

/** The rows as a table on stdout. */
function printTable(): void {
  const header = ['figure', 'apt-ostreed', 'baseline', 'ratio', 'target', ''];
  const table = rows.map((r) => [
    r.figure,
    r.value,
    r.baseline,
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.met === null ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(fmt(row));
}

await main();
