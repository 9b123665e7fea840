/**
 * The guest side of the VM driver's command channel: a systemd service in the test image
 * (apt-ostree-vm-agent.service) that serves the virtio serial port
 * /dev/virtio-ports/org.aptostree.vm.agent — no network needed. Standalone (node's built-ins
 * only): it is copied into the image as one file.
 *
 * The protocol, one JSON object per line, is in ./agent-protocol.ts. Commands run as root
 * directly, or as a user in a real logind session: a transient service with PAMName=login
 * (`systemd-run --pipe --wait`), the PAM stack of a console login, pam_systemd included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const PORT = '/dev/virtio-ports/org.aptostree.vm.agent';

const fd = openSync(PORT, 'r+');
const out = createWriteStream('', { fd, autoClose: false });
const send = (msg: Record<string, unknown>): void => void out.write(`${JSON.stringify(msg)}\n`);
const children = new Map<number, ChildProcess>();

/** The argv that runs `argv` as `user` in a logind session of its own. */
function asUser(user: string, argv: string[]): string[] {
  return [
    'systemd-run',
    '--quiet',
    '--pipe',
    '--wait',
    '--collect',
    '--service-type=exec',
    `--uid=${user}`,
    '-p',
    'PAMName=login',
    '-p',
    'WorkingDirectory=~',
    '--',
    ...argv,
  ];
}

function exec(id: number, argv: string[], user: string | null): void {
  const child = spawn(user === null ? argv[0] : 'systemd-run', user === null ? argv.slice(1) : asUser(user, argv).slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', TERM: 'dumb', SYSTEMD_PAGER: 'cat', HOME: '/root' },
  });
  children.set(id, child);
  child.stdout.on('data', (b: Buffer) => send({ t: 'out', id, fd: 1, data: b.toString('base64') }));
  child.stderr.on('data', (b: Buffer) => send({ t: 'out', id, fd: 2, data: b.toString('base64') }));
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => {
    children.delete(id);
    send({ t: 'exit', id, code: 127, signal: null, error: e.message });
  });
  child.on('close', (code, signal) => {
    children.delete(id);
    send({ t: 'exit', id, code, signal });
  });
}

const lines = createInterface({ input: createReadStream('', { fd, autoClose: false }) });
lines.on('line', (line) => {
  let m: { t?: string; id?: number; argv?: string[]; user?: string | null; data?: string; signal?: string };
  try {
    m = JSON.parse(line) as typeof m;
  } catch {
    return;
  }
  const id = m.id ?? -1;
  if (m.t === 'exec' && Array.isArray(m.argv) && m.argv.length > 0) exec(id, m.argv, m.user ?? null);
  else if (m.t === 'stdin' && m.data !== undefined) children.get(id)?.stdin?.write(Buffer.from(m.data, 'base64'));
  else if (m.t === 'eof') children.get(id)?.stdin?.end();
  else if (m.t === 'signal') children.get(id)?.kill((m.signal ?? 'SIGTERM') as NodeJS.Signals);
});

send({ t: 'hello', boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() });
