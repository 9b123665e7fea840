/**
 * A root client that reads (Sysroot.GetDeployments) in a loop on one connection and records
 * each round trip: the latency a flood by another user inflicts on root.
 */
import { createConnection, type Socket } from 'node:net';

const REQUEST = '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n';

export interface LatencyFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Replies that were errors, or a connection that failed. */
  failures: number;
}

/** The q-quantile (0..1) of `xs` (nearest rank). */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export function latencyFigures(ms: number[], failures: number): LatencyFigures {
  return { count: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: Math.max(0, ...ms), failures };
}

function roundTrip(socket: Socket): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    let got = '';
    const t0 = performance.now();
    const onData = (d: Buffer) => {
      got += d.toString();
      const end = got.indexOf('\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve({ ms: performance.now() - t0, ok: got.startsWith('{"jsonrpc":"2.0","id":1,"result"') });
    };
    const onClose = () => resolve({ ms: performance.now() - t0, ok: false });
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(REQUEST);
  });
}

/** Reads every `pauseMs` until `stop()`; resolves with the latencies. */
export function startRootReader(socketPath: string, pauseMs = 20): { stop(): Promise<LatencyFigures> } {
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    const socket = createConnection(socketPath);
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve).once('close', resolve));
    while (running && !socket.destroyed) {
      const r = await roundTrip(socket);
      if (r.ok) ms.push(r.ms);
      else failures++;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    if (socket.destroyed && running) failures++;
    socket.destroy();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencyFigures(ms, failures);
    },
  };
}
