/**
 * The host side of one test machine: a detached process (started by `vm start`) that owns
 * QEMU, the agent's channel and the machine's life — boots, reboots into the newest loader
 * entry, power cuts — and serves the `vm` verbs on a control socket in the instance dir.
 *
 * Control protocol (JSON lines on DIR/control.sock): a client sends one request —
 * `{op:'wait-up'}`, `{op:'exec', argv, user}`, `{op:'reboot'}`, `{op:'crash'}`, `{op:'stop'}`,
 * `{op:'status'}` — and reads replies: `{t:'up', seconds, state, failed, accel, entry}`,
 * `{t:'error', message}`, for exec the agent's `{t:'out', fd, data}` and `{t:'exit', code,
 * signal, error?}` (the client may send `{t:'stdin', data}` and `{t:'eof'}`).
 *
 * Over 300 lines: one state machine (QEMU's process, the agent channel, the control clients)
 * whose transitions read and change the same few fields; the protocol and the QEMU command
 * line are already in their own files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { extractNewestBoot } from './loader-entry.js';
import { agentSocket, consoleLog, qemuArgv, type Accel } from './qemu-command.js';

export interface InstanceConfig {
  disk: string;
  dataDisk?: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** Seconds a boot may take before it counts as failed. */
  bootTimeout: number;
}

export const controlSocket = (dir: string): string => join(dir, 'control.sock');
export const instanceConfig = (dir: string): string => join(dir, 'config.json');

type Up = {
  t: 'up';
  seconds: number;
  state: string;
  failed: string;
  accel: Accel;
  entry: string;
};
type BootResult = Up | { t: 'error'; message: string };

type AgentMessage =
  | { t: 'hello'; boot: string }
  | { t: 'out'; id: number; fd: number; data: string }
  | { t: 'exit'; id: number; code: number | null; signal: string | null; error?: string };

class Machine {
  private qemu: ChildProcess | null = null;
  private agent: Socket | null = null;
  private nextId = 1;
  private readonly sinks = new Map<number, (m: Record<string, unknown>) => void>();
  private booting: Promise<BootResult> | null = null;
  private onHello: (() => void) | null = null;
  /** Why QEMU is expected to exit (anything else is the machine dying on its own). */
  private expected: 'reboot' | 'crash' | 'stop' | null = null;
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly dir: string,
    readonly config: InstanceConfig,
  ) {}

  log(line: string): void {
    appendFileSync(join(this.dir, 'supervisor.log'), `${new Date().toISOString()} ${line}\n`);
  }

  /** Boots the newest loader entry; resolves when systemd reports the system up. */
  boot(): Promise<BootResult> {
    const attempt = (): Promise<BootResult> => this.doBoot().catch((e: unknown) => ({ t: 'error' as const, message: (e as Error).message }));
    this.booting = attempt().then((r) => {
      // KVM is tried only where the CPU offers it; a KVM that cannot boot the kernel (a nested
      // hypervisor) falls back to TCG for the rest of this machine's life.
      if (r.t !== 'error' || this.config.accel !== 'kvm') return r;
      this.log(`the boot under KVM failed (${r.message.split('\n')[0]}): falling back to TCG`);
      this.config.accel = 'tcg';
      return attempt();
    });
    return this.booting;
  }

  lastBoot(): Promise<BootResult> {
    return this.booting ?? this.boot();
  }

  private async doBoot(): Promise<BootResult> {
    const started = Date.now();
    const { entry, kernel, initrd } = extractNewestBoot(this.config.disk, this.dir);
    appendFileSync(consoleLog(this.dir), `\n==== apt-ostree vm: booting ${entry.file} (${entry.title}) ====\n`);
    rmSync(agentSocket(this.dir), { force: true });
    const argv = qemuArgv({
      dir: this.dir,
      disk: this.config.disk,
      dataDisk: this.config.dataDisk,
      kernel,
      initrd,
      options: entry.options,
      accel: this.config.accel,
      memoryMiB: this.config.memoryMiB,
      cpus: this.config.cpus,
    });
    this.log(`boot ${entry.file}: ${argv.join(' ')}`);
    // QEMU dies with the supervisor: no machine outlives the process that owns it.
    const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.qemu = qemu;
    qemu.stdout?.on('data', (b: Buffer) => this.log(`qemu: ${b.toString().trimEnd()}`));
    qemu.stderr?.on('data', (b: Buffer) => this.log(`qemu: ${b.toString().trimEnd()}`));
    const exited = new Promise<void>((resolve) => qemu.on('exit', () => resolve()));
    qemu.on('exit', (code, signal) => this.qemuExited(qemu, code, signal));
    const hello = new Promise<void>((resolve) => (this.onHello = resolve));
    await Promise.race([this.connectAgent(qemu), exited]);
    // Under KVM a boot takes seconds: two minutes without the agent means KVM does not work here.
    const timeout = this.config.accel === 'kvm' ? Math.min(120, this.config.bootTimeout) : this.config.bootTimeout;
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeout * 1000).unref());
    const first = await Promise.race([hello.then(() => 'hello' as const), exited.then(() => 'exited' as const), deadline]);
    if (first !== 'hello') {
      if (first === 'timeout') qemu.kill('SIGKILL');
      return {
        t: 'error',
        message: `the machine did not come up (${first === 'timeout' ? `no agent after ${timeout} s` : 'QEMU exited'}); the console's end:\n${this.consoleTail()}`,
      };
    }
    const state = await this.run(['systemctl', 'is-system-running', '--wait']);
    const failed = state.stdout.trim() === 'running' ? '' : (await this.run(['systemctl', '--failed', '--no-legend', '--plain'])).stdout.trim();
    const up: Up = {
      t: 'up',
      seconds: (Date.now() - started) / 1000,
      state: state.stdout.trim(),
      failed,
      accel: this.config.accel,
      entry: `${entry.file}: ${entry.title}`,
    };
    this.log(`up: ${JSON.stringify(up)}`);
    return up;
  }

  private consoleTail(): string {
    const path = consoleLog(this.dir);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(-40).join('\n') : '(no console output)';
  }

  private async connectAgent(qemu: ChildProcess): Promise<void> {
    for (;;) {
      if (qemu.exitCode !== null || qemu.signalCode !== null) return;
      const sock = await new Promise<Socket | null>((resolve) => {
        const s = createConnection(agentSocket(this.dir));
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (sock !== null) {
        this.agent = sock;
        sock.on('error', () => undefined);
        createInterface({ input: sock }).on('line', (line) => this.fromAgent(line));
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private fromAgent(line: string): void {
    let m: AgentMessage;
    try {
      m = JSON.parse(line) as AgentMessage;
    } catch {
      return;
    }
    if (m.t === 'hello') {
      this.log(`agent hello, boot ${m.boot}`);
      this.onHello?.();
      return;
    }
    this.sinks.get(m.id)?.(m);
    if (m.t === 'exit') this.sinks.delete(m.id);
  }

  private qemuExited(qemu: ChildProcess, code: number | null, signal: string | null): void {
    this.log(`qemu exited: code ${code} signal ${signal} (expected: ${this.expected ?? 'no'})`);
    if (this.qemu !== qemu) return;
    this.qemu = null;
    this.agent?.destroy();
    this.agent = null;
    const why = this.expected ?? 'the machine went down';
    for (const [id, sink] of this.sinks) sink({ t: 'exit', id, code: null, signal: null, error: `the machine went down (${why})` });
    this.sinks.clear();
    for (const w of this.exitWaiters.splice(0)) w();
  }

  private waitForExit(): Promise<void> {
    if (this.qemu === null) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Starts `argv` in the guest; messages go to `sink`; returns the id (for stdin), or null when the machine is down. */
  exec(argv: string[], user: string | null, sink: (m: Record<string, unknown>) => void): number | null {
    if (this.agent === null) return null;
    const id = this.nextId++;
    this.sinks.set(id, sink);
    this.agent.write(`${JSON.stringify({ t: 'exec', id, argv, user })}\n`);
    return id;
  }

  toAgent(m: Record<string, unknown>): void {
    this.agent?.write(`${JSON.stringify(m)}\n`);
  }

  /** Runs a command in the guest to its end (the supervisor's own questions). */
  run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const id = this.exec(argv, null, (m) => {
        if (m.t === 'out') (m.fd === 1 ? out : err).push(Buffer.from(String(m.data), 'base64'));
        if (m.t === 'exit')
          resolve({ code: m.code as number | null, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + String(m.error ?? '') });
      });
      if (id === null) resolve({ code: null, stdout: '', stderr: 'the machine is down' });
      else this.toAgent({ t: 'eof', id });
    });
  }

  async reboot(): Promise<BootResult> {
    this.expected = 'reboot';
    if (this.qemu !== null) {
      void this.run(['systemctl', 'reboot']);
      const timer = setTimeout(() => this.qemu?.kill('SIGKILL'), 10 * 60 * 1000);
      await this.waitForExit();
      clearTimeout(timer);
    }
    this.expected = null;
    return this.boot();
  }

  async crash(): Promise<BootResult> {
    this.expected = 'crash';
    this.qemu?.kill('SIGKILL');
    await this.waitForExit();
    this.expected = null;
    return this.boot();
  }

  async stop(): Promise<void> {
    this.expected = 'stop';
    this.qemu?.kill('SIGKILL');
    await this.waitForExit();
  }
}

function serve(machine: Machine): void {
  const server = createServer((conn) => {
    conn.on('error', () => undefined);
    const reply = (m: Record<string, unknown>): void => {
      if (!conn.destroyed) conn.write(`${JSON.stringify(m)}\n`);
    };
    let execId: number | null = null;
    createInterface({ input: conn }).on('line', (line) => {
      let req: { op?: string; t?: string; argv?: string[]; user?: string | null; data?: string };
      try {
        req = JSON.parse(line) as typeof req;
      } catch {
        return;
      }
      if (req.t === 'stdin' || req.t === 'eof' || req.t === 'signal') {
        if (execId !== null) machine.toAgent({ ...req, id: execId });
        return;
      }
      switch (req.op) {
        case 'wait-up':
          void machine.lastBoot().then(reply);
          break;
        case 'status':
          void machine.lastBoot().then((r) => reply({ ...r, t: 'status' }));
          break;
        case 'exec': {
          const argv = req.argv ?? [];
          execId = machine.exec(argv, req.user ?? null, (m) => {
            reply(m);
            if (m.t === 'exit') conn.end();
          });
          if (execId === null) {
            reply({ t: 'exit', code: null, signal: null, error: 'the machine is down' });
            conn.end();
          }
          break;
        }
        case 'reboot':
          void machine.reboot().then(reply);
          break;
        case 'crash':
          void machine.crash().then(reply);
          break;
        case 'stop':
          void machine.stop().then(() => {
            reply({ t: 'stopped' });
            conn.end(() => {
              server.close();
              rmSync(controlSocket(machine.dir), { force: true });
              process.exit(0);
            });
          });
          break;
        default:
          reply({ t: 'error', message: `unknown request ${JSON.stringify(req.op)}` });
      }
    });
  });
  rmSync(controlSocket(machine.dir), { force: true });
  server.listen(controlSocket(machine.dir));
}

/** Entry point: `node supervisor.js INSTANCE_DIR` (detached, by `vm start`). */
function supervise(dir: string): void {
  const config = JSON.parse(readFileSync(instanceConfig(dir), 'utf8')) as InstanceConfig;
  const machine = new Machine(dir, config);
  serve(machine);
  void machine.boot();
  // The supervisor ends with `vm stop` only; a SIGTERM stops the machine first.
  process.on('SIGTERM', () => void machine.stop().then(() => process.exit(0)));
}

if (process.argv[1] !== undefined && /vm[/\\]supervisor\.js$/.test(process.argv[1]) && process.argv[2] !== undefined) supervise(process.argv[2]);
