/**
 * GetDeployments through the D-Bus shim beside JSON-RPC and Varlink, one warm daemon, one
 * client process per request as scripts use them: `busctl get-property ... Deployments` on a
 * private system bus (the bus policy installed for the run and removed after) against
 * `socat` sending the same request over the socket in each protocol.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchTools } from './bench-tools.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { BUS_POLICY_TARGET, installFile, nameHasOwner, startSystemBus } from '../test/support/system-bus.js';

const run = promisify(execFile);

export async function dbusFigures(dir: string, t: BenchTools): Promise<void> {
  const busDir = join(dir, 'dbus-bus');
  mkdirSync(busDir, { recursive: true });
  // Installed before the bus starts: a bus reloads its policy asynchronously.
  const removePolicy = installFile(join(t.root, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET);
  const bus = await startSystemBus(busDir);
  const sysroot = buildStandardSysroot(join(dir, 'dbus-sysroot')).sysroot;
  const sock = join(dir, 'dbus-bench.sock');
  const daemon = spawn(
    process.execPath,
    [t.daemonBin, '--sysroot', sysroot, '--socket', sock, '--config', '/dev/null', '--state-dir', join(dir, 'dbus-state')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address },
    },
  );
  let stderr = '';
  daemon.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    await t.waitForSocket(sock);
    for (let i = 0; i < 200 && !nameHasOwner(bus.address, 'org.projectatomic.aptostree1'); i++) await new Promise((r) => setTimeout(r, 50));
    if (!nameHasOwner(bus.address, 'org.projectatomic.aptostree1')) throw new Error(`the daemon did not take its bus name: ${stderr}`);
    const viaBus = () =>
      run('busctl', [
        `--address=${bus.address}`,
        'get-property',
        'org.projectatomic.aptostree1',
        '/org/projectatomic/aptostree1/Sysroot',
        'org.projectatomic.aptostree1.Sysroot',
        'Deployments',
      ]);
    const viaSocat = (request: string) => () =>
      new Promise<void>((resolve, reject) => {
        const child = execFile('socat', ['-t5', '-', `UNIX-CONNECT:${sock}`], (err) => (err ? reject(err) : resolve()));
        child.stdin?.end(request);
      });
    const steps = [
      viaBus,
      viaSocat('{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n'),
      viaSocat('{"method":"org.projectatomic.aptostree1.Sysroot.GetDeployments","parameters":{}}\0'),
    ];
    for (let i = 0; i < 5; i++) for (const s of steps) await s(); // warm
    const times: number[][] = [[], [], []];
    for (let i = 0; i < 40; i++) for (const k of t.shuffled(3)) times[k].push(await t.timed(steps[k]));
    const [busMs, jsonMs, varlinkMs] = times.map(t.median);
    t.add('GetDeployments via D-Bus (busctl get-property, one process per call) vs JSON-RPC (socat)', busMs, jsonMs, 'ms', null);
    t.add('GetDeployments via Varlink (socat, one process per call) vs JSON-RPC (socat)', varlinkMs, jsonMs, 'ms', null);
  } finally {
    await t.stop(daemon);
    await bus.stop();
    removePolicy();
  }
}
