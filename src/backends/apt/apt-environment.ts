/**
 * apt pointed at a tree instead of the running system: a generated
 * APT_CONFIG file, read before anything else, sets every directory — the configuration
 * (sources, keyrings, apt.conf.d, preferences) from a deployed /etc, the dpkg status of the
 * base tree, and lists and archives in the daemon's cache dir. The host's /etc/apt never
 * takes part. Commands are argv arrays; package specs come after `--`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dyingWithParent } from '../../util/die-with-parent.js';
import { runCommand } from '../../util/run-command.js';

interface AptEnvironmentOptions {
  /** The deployed /etc/apt of the merge deployment. */
  etcApt: string;
  /** The dpkg status file apt resolves against (the base tree's). */
  statusFile: string;
  /** The daemon's cache dir: `apt/lists`, `apt/archives`, `apt/state` below it. */
  cacheDir: string;
  /** Where the generated configuration file goes (a transaction's scratch dir). */
  scratchDir: string;
  architecture: string;
  installRecommends: boolean;
  /** Seconds without data before apt gives up on a connection. */
  timeoutSeconds: number;
  /** Parallel connections per host. */
  maxConcurrentDownloads: number;
}

/** A configured apt: run apt-get / apt-cache with it. */
export class AptEnvironment {
  readonly configFile: string;
  readonly listsDir: string;
  readonly archivesDir: string;

  constructor(readonly options: AptEnvironmentOptions) {
    const base = join(options.cacheDir, 'apt');
    this.listsDir = join(base, 'lists');
    this.archivesDir = join(base, 'archives');
    for (const d of [join(this.listsDir, 'partial'), join(this.archivesDir, 'partial'), join(base, 'state')]) {
      mkdirSync(d, { recursive: true });
    }
    mkdirSync(options.scratchDir, { recursive: true });
    this.configFile = join(options.scratchDir, 'apt.conf');
    const q = (v: string | number | boolean): string => `"${String(v).replace(/["\\]/g, '')}"`;
    const lines: [string, string | number | boolean][] = [
      ['Dir', '/'],
      ['Dir::Etc', options.etcApt],
      ['Dir::State', join(base, 'state')],
      ['Dir::State::status', options.statusFile],
      ['Dir::State::Lists', this.listsDir],
      ['Dir::Cache', base],
      ['Dir::Cache::Archives', this.archivesDir],
      // apt's parsed lists are kept (written atomically, checked against the lists by apt), so
      // only the first run after a refresh parses the archive's Packages files; the cache
      // with the status merged in lives as long as this configuration.
      ['Dir::Cache::srcpkgcache', join(base, 'srcpkgcache.bin')],
      ['Dir::Cache::pkgcache', join(options.scratchDir, 'pkgcache.bin')],
      ['Dir::Log', join(base, 'state')],
      ['Debug::NoLocking', true],
      ['APT::Sandbox::User', 'root'],
      ['APT::Architecture', options.architecture],
      ['APT::Install-Recommends', options.installRecommends],
      ['APT::Get::Assume-Yes', true],
      // A version asked for by name (an override replacing a base package) may be older.
      ['APT::Get::allow-downgrades', true],
      ['Acquire::http::Timeout', options.timeoutSeconds],
      ['Acquire::QueueHost::Limit', options.maxConcurrentDownloads],
      ['Acquire::Languages', 'none'],
    ];
    writeFileSync(this.configFile, lines.map(([k, v]) => `${k} ${q(v)};\n`).join(''));
  }

  /**
   * Runs `command args` with this configuration; resolves with its output whatever the exit
   * code. With `onStatus`, apt's machine-readable progress (`APT::Status-Fd`, lines such as
   * `dlstatus:3:42.5:Retrieving file 3 of 7`) comes to it line by line through fd 3.
   */
  run(command: 'apt-get' | 'apt-cache', args: string[], opts: { onStatus?: (line: string) => void } = {}): Promise<AptRun> {
    const statusArgs = opts.onStatus === undefined ? [] : ['-o', 'APT::Status-Fd=3'];
    return new Promise((resolve, reject) => {
      const [file, argv] = dyingWithParent(command, [...statusArgs, ...args]);
      const child = spawn(file, argv, {
        stdio: ['ignore', 'pipe', 'pipe', opts.onStatus === undefined ? 'ignore' : 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', APT_CONFIG: this.configFile, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const status = child.stdio[3];
      if (opts.onStatus !== undefined && status !== null && status !== undefined && 'setEncoding' in status) {
        const onStatus = opts.onStatus;
        let pending = '';
        status.setEncoding('utf8').on('data', (d: string) => {
          const lines = (pending + d).split('\n');
          pending = lines.pop() ?? '';
          for (const l of lines) onStatus(l);
        });
      }
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr: dropDirWarnings(stderr) }));
    });
  }
}

interface AptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** apt warns about optional directories a minimal /etc/apt lacks (apt.conf.d, preferences.d). */
function dropDirWarnings(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^W: Unable to read .* - DirectoryExists/.test(l))
    .join('\n')
    .trim();
}

let architecture: Promise<string> | null = null;

/** The host's dpkg architecture (the trees apt-ostree manages run on this machine), asked once. */
export function hostArchitecture(): Promise<string> {
  architecture ??= runCommand('dpkg', ['--print-architecture']).then((out) => out.trim());
  architecture.catch(() => (architecture = null));
  return architecture;
}
