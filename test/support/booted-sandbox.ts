/**
 * A booted OSTree system for tests, made with bubblewrap: a deployment
 * directory is `/`, the sysroot is `/sysroot` (its boot dir `/boot`, the stateroot's var
 * `/var`), and a `/run` with `ostree-booted` lives in a host folder so that libostree's
 * staged-deployment record survives between commands until the "shutdown"
 * (`ostree admin finalize-staged`). The host's /usr (and ld.so.cache) is bound read-only over
 * the deployment's /usr, so host programs run inside while libostree still recognises the
 * deployment as booted (it compares / by device and inode). Only the reboot itself is not
 * real: tests run finalize-staged where a shutdown would.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './repo-root.js';

/** Where the checkout appears inside (the deployment root is immutable: no new top-level dirs). */
const CHECKOUT = '/tmp/checkout';

export interface BootedSandbox {
  /** The host folder that is the sandbox's /run. */
  runDir: string;
  /** argv of bwrap running `argv` inside, with extra `[host, inside]` binds (inside under /tmp). */
  command(argv: string[], binds?: [string, string][]): string[];
  /** The path inside of a file of the checkout. */
  checkoutPath(hostPath: string): string;
  /** Runs a command inside; rejects with its stderr on failure. */
  run(argv: string[]): Promise<{ stdout: string; stderr: string }>;
  /** The shutdown step of a reboot: `ostree admin finalize-staged`. */
  shutdown(): Promise<{ stdout: string; stderr: string }>;
  /** `ostree admin status` as seen from inside (staged deployments are only visible there). */
  adminStatus(): Promise<string>;
}

/** A sandbox booted into `sysroot`'s deployment `<osname>/deploy/<checksum>.<serial>`. */
export function bootedSandbox(opts: { sysroot: string; osname: string; deployment: string; runDir: string }): BootedSandbox {
  const { sysroot, osname, deployment, runDir } = opts;
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'ostree-booted'), '');
  const root = join(sysroot, 'ostree/deploy', osname, 'deploy', deployment);
  const command = (argv: string[], binds: [string, string][] = []): string[] => [
    'bwrap',
    ...['--bind', root, '/', '--bind', sysroot, '/sysroot', '--bind', join(sysroot, 'boot'), '/boot'],
    ...['--bind', join(sysroot, 'ostree/deploy', osname, 'var'), '/var', '--bind', runDir, '/run'],
    ...['--ro-bind', '/usr', '/usr', '--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache'],
    ...['--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', REPO_ROOT, CHECKOUT],
    ...binds.flatMap(([host, inside]) => ['--bind', host, inside]),
    // PID 1 of its own namespace (libostree reads /proc/1/ns/mnt); dies with the test.
    '--unshare-pid',
    '--die-with-parent',
    '--',
    ...argv,
  ];
  const run = (argv: string[]): Promise<{ stdout: string; stderr: string }> => {
    const [file, ...args] = command(argv);
    return new Promise((resolve, reject) => {
      execFile(file, args, { env: sandboxEnv(), encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${argv.join(' ')}: ${err.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      });
    });
  };
  return {
    runDir,
    command,
    checkoutPath: (hostPath) => join(CHECKOUT, relative(REPO_ROOT, hostPath)),
    run,
    shutdown: () => run(['ostree', 'admin', 'finalize-staged']),
    adminStatus: async () => (await run(['ostree', 'admin', 'status'])).stdout,
  };
}

/** The environment for processes inside: without variables naming host files that are not there. */
export function sandboxEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
