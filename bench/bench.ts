/**
 * `npm run bench`: each figure of issue #2 beside a baseline measured in the same run, as a
 * ratio (the machines are noisy; absolute numbers mean little). Exits 0 when it ran; a missed
 * target shows as "MISSED" in the table, not in the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStandardSysroot, removeSysroot } from '../src/demo/sysroot-builder.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DAEMON = join(ROOT, 'bin', 'apt-ostreed');
const ECHO = join(ROOT, 'dist', 'bench', 'baseline-echo.js');
const REQUEST = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n';

interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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
function roundTrip(socket: Socket, line: string): Promise<number> {
  return new Promise((resolve) => {
    let got = '';
    const t0 = process.hrtime.bigint();
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.includes('\n')) {
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

/** Connect → first reply through systemd-socket-activate (the process starts on the connection). */
async function coldStart(argv: string[], dir: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const sock = join(dir, `cold-${i}.sock`);
    const child = spawn('systemd-socket-activate', ['-l', sock, ...argv], { stdio: 'ignore' });
    // Wait until systemd-socket-activate has bound the socket (it accepts nothing until it exec's).
    for (let j = 0; j < 500; j++) {
      try {
        readFileSync('/proc/net/unix', 'utf8').includes(sock) ? j = 1000 : await sleep(5);
      } catch {
        await sleep(5);
      }
    }
    const t0 = process.hrtime.bigint();
    const socket = await connect(sock);
    await roundTrip(socket, REQUEST);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    socket.destroy();
    await stop(child);
  }
  return median(times);
}

/** p50 latency of sequential requests on one connection. */
async function latencyP50(path: string, n: number): Promise<number> {
  const socket = await connect(path);
  for (let i = 0; i < 200; i++) await roundTrip(socket, REQUEST); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await roundTrip(socket, REQUEST));
  socket.destroy();
  return median(times);
}

/** Requests per second with `clients` connections, each with one request in flight. */
async function throughput(path: string, clients: number, seconds: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(path)));
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    sockets.map(async (s) => {
      while (Date.now() < deadline) {
        await roundTrip(s, REQUEST);
        done++;
      }
    }),
  );
  for (const s of sockets) s.destroy();
  return done / seconds;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function add(figure: string, value: number, baseline: number, unit: string, target: number | null, higherIsBetter = false) {
  const ratio = value / baseline;
  rows.push({
    figure,
    value: `${value.toFixed(unit === 'MB' ? 1 : 3)} ${unit}`,
    baseline: `${baseline.toFixed(unit === 'MB' ? 1 : 3)} ${unit}`,
    ratio,
    target: target === null ? '—' : `${higherIsBetter ? '≥' : '≤'} ${target}×`,
    met: target === null ? null : higherIsBetter ? ratio >= target : ratio <= target,
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-bench-'));
  const sysroot = join(dir, 'sysroot');
  const children: ChildProcess[] = [];
  try {
    buildStandardSysroot(sysroot);
    const daemonArgv = [process.execPath, DAEMON, '--sysroot', sysroot, '--config', '/dev/null', '--socket', join(dir, 'unused.sock')];
    const echoArgv = [process.execPath, ECHO];
    const runs = 11;

    // 1. Cold start, socket-activated: daemon vs. a bare node process doing the same echo.
    await coldStart(echoArgv, dir, 2); // warm the page cache
    await coldStart(daemonArgv, dir, 2);
    const coldEcho = await coldStart(echoArgv, dir, runs);
    const coldDaemon = await coldStart(daemonArgv, dir, runs);
    add('cold start: connect → first reply (GetDeployments), socket-activated', coldDaemon, coldEcho, 'ms', 1.5);

    // 2. Warm latency and throughput against a bare NDJSON echo server on the same kind of socket.
    const daemonSock = join(dir, 'daemon.sock');
    const echoSock = join(dir, 'echo.sock');
    const daemon = spawn(process.execPath, [DAEMON, '--sysroot', sysroot, '--config', '/dev/null', '--socket', daemonSock], { stdio: 'ignore' });
    const echo = spawn(process.execPath, [ECHO, echoSock], { stdio: 'ignore' });
    children.push(daemon, echo);
    await waitForSocket(daemonSock);
    await waitForSocket(echoSock);
    const p50Echo = await latencyP50(echoSock, 3000);
    const p50Daemon = await latencyP50(daemonSock, 3000);
    add('Sysroot.GetDeployments p50 latency, one client', p50Daemon, p50Echo, 'ms', 1.3);
    for (const clients of [1, 8, 64]) {
      const echoRps = await throughput(echoSock, clients, 2);
      const daemonRps = await throughput(daemonSock, clients, 2);
      add(`requests/s, ${clients} concurrent client${clients > 1 ? 's' : ''}`, daemonRps, echoRps, 'req/s', null, true);
    }

    // 3. Idle RSS after serving (libostree loaded), against the idle echo server.
    await sleep(1000);
    const rssDaemon = rssMb(daemon.pid as number);
    const rssEcho = rssMb(echo.pid as number);
    rows.push({
      figure: 'idle RSS after serving',
      value: `${rssDaemon.toFixed(1)} MB`,
      baseline: `${rssEcho.toFixed(1)} MB (bare node)`,
      ratio: rssDaemon / rssEcho,
      target: '≤ 60 MB',
      met: rssDaemon <= 60,
    });
  } finally {
    await Promise.all(children.map(stop));
    removeSysroot(sysroot);
    rmSync(dir, { recursive: true, force: true });
  }

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
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(fmt(row));
}

await main();
