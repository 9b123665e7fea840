/**
 * The fuzzer's core: builds a sysroot, starts the real daemon on it (as root, so every call is
 * authorized), runs the workers until the input or time budget is spent, then checks what must
 * hold after: the daemon still runs and answers, nothing was started, the sysroot is unchanged,
 * and its memory stayed bounded and came back down.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot, removeSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon } from '../test/support/daemon-process.js';
import { loadApiSchemas } from './api-schemas.js';
import { runWorker } from './connection-worker.js';
import { allGenerators } from './generators/index.js';
import { MemoryMonitor, rssBytes } from './memory-monitor.js';
import { runFloods, type FloodFigures } from './floods.js';
import { createTestUser } from '../test/support/system-bus.js';
import { snapshotDiff, sysrootSnapshot } from './sysroot-snapshot.js';
import { Tally } from './tally.js';

export interface FuzzOptions {
  /** Inputs to send at most. */
  inputs: number;
  /** Stop after this many seconds even if inputs remain. */
  seconds: number;
  seed: number;
  /** Concurrent client connections. */
  connections: number;
  /** Peak daemon RSS allowed. */
  rssBoundBytes: number;
  /** How far above its start the daemon's RSS may stay once the run is over. */
  rssSettleBytes: number;
  /** How much the RSS may grow from the first quarter of the inputs to the last (a leak grows). */
  rssGrowthBytes: number;
  /** How long a request may go unanswered before it counts as dropped. */
  replyTimeoutMs: number;
  /** The unprivileged user (created, then removed) that runs the floods (fuzz/floods.ts); null: no floods. */
  floodUser: string | null;
  /** How long each flood lasts. */
  floodHoldMs: number;
  /** p99 of a root read's latency allowed while a user floods (the bench's goal is 50 ms; this is a fault bound). */
  rootLatencyBoundMs: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<FuzzOptions, 'seed'> = {
  inputs: 20_000,
  seconds: 120,
  connections: 32,
  // Start ~60 MB; 32 connections may each hold a 1 MiB message being read, its text, its parse
  // and its reply at once (~4 MiB each); measured peaks are 140-180 MB.
  rssBoundBytes: 250 * 1024 * 1024,
  // V8 and glibc keep freed pages: after runs RSS stays 95-130 MB over its start, and no higher
  // after five runs in a row on one daemon than after the first (no leak).
  rssSettleBytes: 160 * 1024 * 1024,
  // Measured: first to last quarter within ±20 MB (the working set of the in-flight messages).
  rssGrowthBytes: 64 * 1024 * 1024,
  replyTimeoutMs: 20_000,
  floodUser: 'aptostree-fuzz',
  floodHoldMs: 5000,
  rootLatencyBoundMs: 1000,
};

export interface FuzzReport {
  options: FuzzOptions;
  tally: Tally;
  elapsedMs: number;
  rss: { start: number; peak: number; end: number; quarters: number[] };
  coverage: { covered: number; targets: number };
  /** The floods by an unprivileged user, with a root reader's latency meanwhile. */
  floods: FloodFigures[];
  /** Violations of the run as a whole (daemon died, memory, sysroot changed, final checks). */
  runViolations: string[];
  ok: boolean;
}

const CLIENT_TIMEOUT_S = 2;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'apt-ostreed-fuzz-')));
  const runViolations: string[] = [];
  try {
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    // A reboot command that does nothing: should an input ever start a transaction that reboots
    // (the safety guard exists so that none does), the host must not go down.
    const daemon = await startDaemon({
      sysroot,
      config: '[Daemon]\nRebootCommand=/bin/false\n',
      extraArgs: ['--no-dbus', '--client-timeout', String(CLIENT_TIMEOUT_S)],
    });
    let daemonExit: string | null = null;
    daemon.process.once('exit', (code, signal) => (daemonExit = `the daemon exited (${code ?? signal}); stderr:\n${daemon.stderr().slice(-2000)}`));
    try {
      const pid = daemon.process.pid as number;
      const client = await JsonRpcClient.connect(daemon.socket);
      const deploymentsBefore = JSON.stringify(await client.call('Sysroot.GetDeployments'));
      client.close();
      const before = sysrootSnapshot(sysroot);
      const memory = new MemoryMonitor(pid);
      const api = loadApiSchemas();
      const { generators, coverage } = allGenerators(api);
      const tally = new Tally();
      const started = Date.now();
      const deadline = started + options.seconds * 1000;
      let taken = 0;
      // RSS each time another quarter of the inputs was taken: a leak shows as a rising trend.
      const quarters: number[] = [];
      const takeInput = () => {
        if (daemonExit !== null || taken >= options.inputs || Date.now() >= deadline) return false;
        if (++taken % Math.ceil(options.inputs / 4) === 0) quarters.push(rssBytes(pid) ?? 0);
        return true;
      };
      const progress = setInterval(() => log(`  ${taken} inputs, ${tally.violationCount} violations, rss ${mb(memory.peak)} MB peak`), 10_000);
      await Promise.all(
        Array.from({ length: options.connections }, (_, index) =>
          runWorker({
            socket: daemon.socket,
            api,
            generators,
            seed: options.seed,
            index,
            tally,
            takeInput,
            replyTimeoutMs: options.replyTimeoutMs,
            clientTimeoutMs: CLIENT_TIMEOUT_S * 1000,
          }),
        ),
      );
      clearInterval(progress);
      const elapsedMs = Date.now() - started;
      memory.stop();
      memory.sample();
      let floods: FloodFigures[] = [];
      if (options.floodUser !== null && daemonExit === null) {
        log('floods by an unprivileged user, a root client reading meanwhile:');
        const removeUser = createTestUser(options.floodUser, options.floodUser);
        try {
          floods = await runFloods({ socket: daemon.socket, pid, user: options.floodUser, holdMs: options.floodHoldMs }, log);
        } finally {
          removeUser();
        }
        floodViolations(floods, options, runViolations);
      }
      if (daemonExit !== null) runViolations.push(daemonExit);
      else {
        await finalChecks(daemon.socket, sysroot, deploymentsBefore, before, runViolations);
      }
      // The connections are gone: memory comes back near where it started (V8 gives pages back lazily).
      let end = rssBytes(pid) ?? 0;
      for (let i = 0; i < 100 && daemonExit === null && end > memory.start + options.rssSettleBytes; i++) {
        await new Promise((r) => setTimeout(r, 200));
        end = rssBytes(pid) ?? 0;
      }
      if (memory.peak > options.rssBoundBytes) runViolations.push(`peak RSS ${mb(memory.peak)} MB over the bound of ${mb(options.rssBoundBytes)} MB`);
      const growth = quarters.length >= 2 ? (quarters.at(-1) as number) - quarters[0] : 0;
      if (growth > options.rssGrowthBytes) {
        runViolations.push(`RSS grew by ${mb(growth)} MB from the first quarter of the inputs to the last (bound ${mb(options.rssGrowthBytes)} MB): a leak?`);
      }
      if (daemonExit === null && end > memory.start + options.rssSettleBytes) {
        runViolations.push(`RSS ${mb(end)} MB after the run, more than ${mb(options.rssSettleBytes)} MB over its start (${mb(memory.start)} MB)`);
      }
      return {
        options,
        tally,
        elapsedMs,
        rss: { start: memory.start, peak: memory.peak, end, quarters },
        coverage: coverage(),
        floods,
        runViolations,
        ok: runViolations.length === 0 && tally.violationCount === 0,
      };
    } finally {
      await daemon.stop();
    }
  } finally {
    removeSysroot(dir);
  }
}

/** Each flood: the daemon's RSS within its bound, root's reads answered and within the latency bound. */
function floodViolations(floods: FloodFigures[], options: FuzzOptions, out: string[]): void {
  for (const f of floods) {
    if (f.rssPeak > options.rssBoundBytes) out.push(`${f.name}: peak RSS ${mb(f.rssPeak)} MB over the bound of ${mb(options.rssBoundBytes)} MB`);
    if (f.rootLatency.p99 > options.rootLatencyBoundMs) {
      out.push(`${f.name}: a root read's p99 latency ${f.rootLatency.p99.toFixed(0)} ms over the bound of ${options.rootLatencyBoundMs} ms`);
    }
    if (f.rootLatency.failures > 0 || f.rootLatency.count === 0)
      out.push(`${f.name}: ${f.rootLatency.failures} root read(s) failed, ${f.rootLatency.count} answered`);
    if ('error' in f.client) out.push(`${f.name}: the flooding client failed: ${String(f.client.error)}`);
  }
}

/** After the run: the daemon answers normally, started nothing, and the sysroot is as it was. */
async function finalChecks(socket: string, sysroot: string, deploymentsBefore: string, before: string[], out: string[]): Promise<void> {
  const client = await JsonRpcClient.connect(socket);
  try {
    const deployments = JSON.stringify(await client.call('Sysroot.GetDeployments'));
    if (deployments !== deploymentsBefore) out.push('Sysroot.GetDeployments answers differently after the run');
    const history = await client.call<{ transactions: unknown[] }>('Transaction.History', {});
    if (history.transactions.length > 0) out.push(`${history.transactions.length} transaction(s) ran`);
    const list = await client.call<{ transactions: unknown[] }>('Transaction.List', {});
    if (list.transactions.length > 0) out.push(`${list.transactions.length} transaction(s) exist`);
  } catch (err) {
    out.push(`the daemon does not answer normally after the run: ${(err as Error).message}`);
  } finally {
    client.close();
  }
  const diff = snapshotDiff(before, sysrootSnapshot(sysroot));
  if (diff.length > 0) out.push(`the sysroot changed:\n${diff.slice(0, 20).join('\n')}`);
}

export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
