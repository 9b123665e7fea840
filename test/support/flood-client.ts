/**
 * A flooding client, run as an unprivileged user (`runuser -u USER -- node flood-client.js
 * ...`) by the attack tests, the fuzzer and the bench. Prints one JSON line with what it saw.
 *
 *   batch   SOCKET METHOD PARAMS SIZE CONNECTIONS LINES  each connection sends LINES batches of
 *           SIZE calls of METHOD (PARAMS: JSON) and reads every reply; prints the replies counted
 *           by outcome (a batch of 1 is sent as a bare request); with HOLD_MS, prints what came
 *           until then and exits
 *   idle    SOCKET CONNECTIONS HOLD_MS           opens connections that send nothing; prints
 *           how many were refused or closed by the daemon within HOLD_MS
 *   noread  SOCKET METHOD PARAMS SIZE CONNECTIONS LINES HOLD_MS  like batch, but never reads; holds
 *           the connections HOLD_MS, then prints how many the daemon closed
 *   noread-varlink  SOCKET METHOD CONNECTIONS CALLS HOLD_MS  the same over Varlink: CALLS calls
 *           of METHOD (full Varlink name) per connection
 *
 * Every mode prints `{"ready":true}` first once its connections are open and have written.
 */
import { createConnection, type Socket } from 'node:net';

const [mode, socketPath, ...rest] = process.argv.slice(2);

function open(): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = createConnection(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
  });
}

function batchLine(method: string, params: unknown, size: number, base: number): string {
  const calls = Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', id: base + i, method, params }));
  return JSON.stringify(size === 1 ? calls[0] : calls) + '\n';
}

/** Outcome of one reply object: `result`, or the error's name. */
function outcome(reply: Record<string, unknown>): string {
  if ('result' in reply) return 'result';
  const error = reply.error as { code: number; data?: { name?: string } } | undefined;
  return error?.data?.name ?? String(error?.code);
}

async function openAll(n: number): Promise<{ sockets: Socket[]; refused: number; closed: () => number }> {
  const sockets: Socket[] = [];
  let refused = 0;
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const s = await open();
    if (s === null) {
      refused++;
      continue;
    }
    s.on('error', () => {});
    s.once('close', () => closed++);
    sockets.push(s);
  }
  return { sockets, refused, closed: () => closed };
}

async function batch(method: string, params: unknown, size: number, connections: number, lines: number, holdMs?: number): Promise<void> {
  const { sockets, refused } = await openAll(connections);
  const counts: Record<string, number> = {};
  let messages = 0;
  const done = sockets.map(
    (s) =>
      new Promise<void>((resolve) => {
        let text = '';
        let replies = 0;
        s.setEncoding('utf8');
        s.on('data', (d: string) => {
          text += d;
          const parts = text.split('\n');
          text = parts.pop() ?? '';
          for (const part of parts) {
            messages++;
            const message = JSON.parse(part) as Record<string, unknown> | Record<string, unknown>[];
            for (const r of Array.isArray(message) ? message : [message]) counts[outcome(r)] = (counts[outcome(r)] ?? 0) + 1;
            // A refused batch is one error object for the whole line.
            replies += Array.isArray(message) ? message.length : message.id === null ? size : 1;
          }
          if (replies >= size * lines) s.end();
        });
        s.once('close', () => resolve());
      }),
  );
  for (const [i, s] of sockets.entries()) for (let l = 0; l < lines; l++) s.write(batchLine(method, params, size, (i * lines + l) * size));
  process.stdout.write('{"ready":true}\n');
  await (holdMs === undefined ? Promise.all(done) : new Promise((r) => setTimeout(r, holdMs)));
  process.stdout.write(JSON.stringify({ connections: sockets.length, refused, messages, counts }) + '\n');
}

async function idle(connections: number, holdMs: number): Promise<void> {
  const { sockets, refused, closed } = await openAll(connections);
  // Read (and drop) what comes, so that a close by the daemon is seen.
  for (const s of sockets) s.resume();
  process.stdout.write('{"ready":true}\n');
  await new Promise((r) => setTimeout(r, holdMs));
  // A connection refused for a limit is accepted, answered LimitExceeded, then closed.
  process.stdout.write(JSON.stringify({ connections: sockets.length, refused, closed: closed() }) + '\n');
  for (const s of sockets) s.destroy();
}

async function noreadVarlink(method: string, connections: number, calls: number, holdMs: number): Promise<void> {
  const call = JSON.stringify({ method, parameters: {} }) + '\0';
  await noreadWith(connections, holdMs, () => call.repeat(calls));
}

async function noread(method: string, params: unknown, size: number, connections: number, lines: number, holdMs: number): Promise<void> {
  await noreadWith(connections, holdMs, (i) => Array.from({ length: lines }, (_, l) => batchLine(method, params, size, (i * lines + l) * size)).join(''));
}

/** Opens connections that write `payload(i)` and never read; prints how many the daemon closed within `holdMs`. */
async function noreadWith(connections: number, holdMs: number, payload: (i: number) => string): Promise<void> {
  const { sockets, refused, closed } = await openAll(connections);
  for (const [i, s] of sockets.entries()) {
    s.pause();
    s.write(payload(i));
  }
  process.stdout.write('{"ready":true}\n');
  await new Promise((r) => setTimeout(r, holdMs));
  process.stdout.write(JSON.stringify({ connections: sockets.length, refused, closed: closed() }) + '\n');
  for (const s of sockets) s.destroy();
}

async function main(): Promise<void> {
  const n = rest.slice(2).map(Number);
  if (mode === 'batch') await batch(rest[0], JSON.parse(rest[1]), n[0], n[1], n[2], n[3]);
  else if (mode === 'idle') await idle(Number(rest[0]), Number(rest[1]));
  else if (mode === 'noread') await noread(rest[0], JSON.parse(rest[1]), n[0], n[1], n[2], n[3]);
  else if (mode === 'noread-varlink') await noreadVarlink(rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3]));
  else throw new Error(`unknown mode ${mode}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  },
);
