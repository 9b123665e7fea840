/**
 * The `vm` verbs as functions, for the CLI (src/vm/main.ts) and the tests: each talks to the
 * machine's supervisor over its control socket.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { detectAccel } from './qemu-command.js';
import { controlSocket, instanceConfig, type InstanceConfig } from './supervisor.js';
import { REPO_DIR } from './project-deb.js';
import { buildTestImage, vmCacheDir, type TestImage } from './test-image.js';

export interface UpReport {
  seconds: number;
  state: string;
  failed: string;
  accel: string;
  entry: string;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the machine went down (crash, reboot, stop) before the command ended. */
  error?: string;
}

export class VmError extends Error {
  override readonly name = 'VmError';
}

const instanceDir = (name: string): string => join(vmCacheDir(), 'instances', name);

function connect(name: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(controlSocket(instanceDir(name)));
    s.once('connect', () => resolve(s));
    s.once('error', () => reject(new VmError(`no machine "${name}" is running (vm start first)`)));
  });
}

/** Sends one request; `onMessage` sees every reply; resolves with the one `until` accepts. */
async function request<T>(
  name: string,
  req: Record<string, unknown>,
  until: (m: Record<string, unknown>) => boolean,
  onMessage?: (m: Record<string, unknown>, sock: Socket) => void,
): Promise<T> {
  const sock = await connect(name);
  return new Promise<T>((resolve, reject) => {
    let done = false;
    createInterface({ input: sock }).on('line', (line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      onMessage?.(m, sock);
      if (m.t === 'error') {
        done = true;
        sock.destroy();
        reject(new VmError(String(m.message)));
      } else if (until(m)) {
        done = true;
        sock.end();
        resolve(m as T);
      }
    });
    sock.on('close', () => {
      if (!done) reject(new VmError(`the supervisor of "${name}" went away`));
    });
    sock.write(`${JSON.stringify(req)}\n`);
    onMessage?.({ t: 'sent' }, sock);
  });
}

export async function isRunning(name: string): Promise<boolean> {
  try {
    (await connect(name)).destroy();
    return true;
  } catch {
    return false;
  }
}

export function build(log: (line: string) => void = () => undefined): TestImage {
  return buildTestImage(log);
}

/** Boots a fresh copy of the test image as `name`; resolves when systemd reports it up. */
export async function start(name: string, log: (line: string) => void = () => undefined, o: { memoryMiB?: number } = {}): Promise<UpReport> {
  if (await isRunning(name)) throw new VmError(`machine "${name}" is already running (vm stop --name ${name} first)`);
  const image = buildTestImage(log);
  const dir = instanceDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const disk = join(dir, 'disk.img');
  await new Promise<void>((resolve, reject) => {
    const cp = spawn('cp', ['--sparse=always', '--', image.disk, disk], { stdio: 'ignore' });
    cp.on('exit', (code) => (code === 0 ? resolve() : reject(new VmError(`copying the image failed (${code})`))));
  });
  const config: InstanceConfig = { disk, dataDisk: image.data, accel: detectAccel(), memoryMiB: o.memoryMiB ?? 1536, cpus: 2, bootTimeout: 600 };
  writeFileSync(instanceConfig(dir), JSON.stringify(config));
  const out = openSync(join(dir, 'supervisor.out'), 'a');
  const child = spawn(process.execPath, [join(REPO_DIR, 'dist/src/vm/supervisor.js'), dir], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  writeFileSync(join(dir, 'supervisor.pid'), `${child.pid}\n`);
  child.unref();
  for (let i = 0; i < 100 && !existsSync(controlSocket(dir)); i++) await new Promise((r) => setTimeout(r, 100));
  return request<UpReport>(name, { op: 'wait-up' }, (m) => m.t === 'up');
}

/** Runs argv in the guest (as root, or as `user` in a logind session), to its end. */
export async function exec(
  name: string,
  argv: string[],
  o: { user?: string; stdin?: string | Buffer; onOutput?: (fd: number, data: Buffer) => void } = {},
): Promise<ExecResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const m = await request<{ code: number | null; signal: string | null; error?: string }>(
    name,
    { op: 'exec', argv, user: o.user ?? null },
    (x) => x.t === 'exit',
    (x, sock) => {
      if (x.t === 'sent') {
        if (o.stdin !== undefined) sock.write(`${JSON.stringify({ t: 'stdin', data: Buffer.from(o.stdin).toString('base64') })}\n`);
        sock.write(`${JSON.stringify({ t: 'eof' })}\n`);
      }
      if (x.t === 'out') {
        const b = Buffer.from(String(x.data), 'base64');
        (x.fd === 1 ? out : err).push(b);
        o.onOutput?.(Number(x.fd), b);
      }
    },
  );
  return {
    code: m.code,
    signal: m.signal,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    ...(m.error === undefined ? {} : { error: m.error }),
  };
}

/** Streams a command's I/O through (the CLI's exec): stdin from `input` unless null. */
export async function execStreaming(name: string, argv: string[], user: string | undefined, input: NodeJS.ReadableStream | null): Promise<ExecResult> {
  return request<ExecResult>(
    name,
    { op: 'exec', argv, user: user ?? null },
    (x) => x.t === 'exit',
    (x, sock) => {
      if (x.t === 'sent') {
        if (input === null) sock.write(`${JSON.stringify({ t: 'eof' })}\n`);
        else {
          input.on('data', (b: Buffer) => sock.write(`${JSON.stringify({ t: 'stdin', data: b.toString('base64') })}\n`));
          input.on('end', () => sock.write(`${JSON.stringify({ t: 'eof' })}\n`));
        }
      }
      if (x.t === 'out') (x.fd === 1 ? process.stdout : process.stderr).write(Buffer.from(String(x.data), 'base64'));
    },
  );
}

export const reboot = (name: string): Promise<UpReport> => request<UpReport>(name, { op: 'reboot' }, (m) => m.t === 'up');
export const crash = (name: string): Promise<UpReport> => request<UpReport>(name, { op: 'crash' }, (m) => m.t === 'up');

/** Powers the machine off at once and removes its instance (its disk copy). */
export async function stop(name: string): Promise<void> {
  if (await isRunning(name)) await request(name, { op: 'stop' }, (m) => m.t === 'stopped');
  rmSync(instanceDir(name), { recursive: true, force: true });
}

/** The console socket, for `vm console`. */
export const consoleSocketOf = (name: string): string => join(instanceDir(name), 'console.sock');
