/**
 * `npm run -s vm -- VERB`: the project's test machine (docs/vm.md) — a Debian 13 OSTree image
 * with apt-ostreed installed from its .deb, booted under QEMU.
 *
 *   build                      the .deb and the image (cached)
 *   start                      boot a fresh copy; returns when systemd reports it up
 *   exec [--user NAME] -- CMD  run CMD in the guest (as NAME: in a logind session); exit code passed through
 *   reboot | crash             clean reboot / power cut, then boot the newest loader entry
 *   console                    the serial console (Ctrl-] leaves)
 *   stop                       power off at once and remove the copy
 *   status                     is it running, how did it boot
 * Every verb takes --name NAME (default: default) to run several machines.
 */
import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import { build, consoleSocketOf, crash, execStreaming, isRunning, reboot, start, stop, VmError, type UpReport } from './vm-client.js';

const USAGE = `Usage: npm run -s vm -- VERB [--name NAME] [OPTIONS]
  build                          build the .deb and the image (cached)
  start                          boot a fresh copy of the image; wait until it is up
  exec [--user NAME] -- CMD...   run CMD in the machine (as root, or as NAME in a login session)
  reboot                         reboot cleanly into the newest boot entry
  crash                          cut the power, then boot the newest boot entry
  console                        the serial console (leave with Ctrl-])
  stop                           power off at once, remove the machine's disk copy
  status                         whether it runs and how it booted
`;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function report(verb: string, up: UpReport): void {
  process.stdout.write(`${verb}: up in ${up.seconds.toFixed(1)} s (${up.accel}), systemd: ${up.state}, booted ${up.entry}\n`);
  if (up.state !== 'running') process.stdout.write(`failed units:\n${up.failed || '(none listed)'}\n`);
}

async function console_(name: string): Promise<number> {
  const sock = createConnection(consoleSocketOf(name));
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', () => reject(new VmError(`no machine "${name}" is running`)));
  });
  process.stderr.write('Connected to the serial console; Ctrl-] leaves.\n');
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  sock.pipe(process.stdout);
  sock.write('\r');
  return new Promise((resolve) => {
    process.stdin.on('data', (b: Buffer) => {
      if (b.includes(0x1d)) {
        sock.end();
        if (process.stdin.isTTY) process.stdin.setRawMode(false);
        resolve(0);
        process.stdin.pause();
        return;
      }
      sock.write(b);
    });
    sock.on('close', () => resolve(0));
  });
}

async function vmMain(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: { name: { type: 'string', default: 'default' }, user: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const verb = positionals[0];
  const name = values.name;
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new VmError(`--name: "${name}" (letters, digits, _ and - only)`);
  switch (verb) {
    case 'build': {
      const t0 = Date.now();
      const image = build(log);
      process.stdout.write(`image: ${image.disk}\ndata: ${image.data}\ndeb: ${image.deb}\n(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      return 0;
    }
    case 'start':
      report('start', await start(name, log));
      return 0;
    case 'exec': {
      if (command.length === 0) throw new VmError('exec needs a command after --');
      const r = await execStreaming(name, command, values.user, process.stdin.isTTY ? null : process.stdin);
      if (r.error !== undefined) {
        process.stderr.write(`vm exec: ${r.error}\n`);
        return 255;
      }
      return r.code ?? 128;
    }
    case 'reboot':
      report('reboot', await reboot(name));
      return 0;
    case 'crash':
      report('crash', await crash(name));
      return 0;
    case 'console':
      return console_(name);
    case 'stop':
      await stop(name);
      process.stdout.write(`stopped ${name}\n`);
      return 0;
    case 'status':
      process.stdout.write(`${name}: ${(await isRunning(name)) ? 'running' : 'not running'}\n`);
      return 0;
    default:
      process.stdout.write(USAGE);
      return verb === undefined || values.help === true ? 0 : 2;
  }
}

vmMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`vm: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
