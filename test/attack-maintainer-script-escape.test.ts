/**
 * Attack: a maintainer script tries to get out of the sandbox. The postinst of a
 * package built here runs a static program (escape-attempts.c) that first breaks out of any
 * chroot, then remounts /, writes into a host directory, makes a node for the host's disk and
 * reads it, opens the host's disk device, connects to a TCP listener on the host's loopback,
 * to an abstract Unix socket, to the daemon's own socket and to the system bus, reads
 * /etc/shadow, signals a host process, writes a sysctl and opens the host's root directory by
 * its file handle (open_by_handle_at, through any mount of the host's filesystem it sees). It is installed through the real
 * daemon; every attempt must be blocked and nothing may reach the host, while the package
 * itself installs (its postinst exits 0).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { addHostileDeb, compileStatic } from './support/hostile-deb.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

/** Capability numbers (linux/capability.h). */
const CAP = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  NET_BIND_SERVICE: 10,
  NET_ADMIN: 12,
  NET_RAW: 13,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_ADMIN: 21,
  MKNOD: 27,
  SETFCAP: 31,
};
const mask = (names: (keyof typeof CAP)[]): bigint => names.reduce((m, n) => m | (1n << BigInt(CAP[n])), 0n);
const ALLOWED = mask(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETGID', 'SETUID', 'SETFCAP']);
/** DAC_READ_SEARCH: open_by_handle_at opens any inode of a filesystem the sandbox sees a mount of. */
const FORBIDDEN = mask([
  'DAC_READ_SEARCH',
  'SYS_ADMIN',
  'MKNOD',
  'SYS_CHROOT',
  'NET_ADMIN',
  'NET_RAW',
  'NET_BIND_SERVICE',
  'SYS_PTRACE',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SETPCAP',
  'KILL',
]);

/** A listener that counts who connects. */
async function listening(address: string | { port: number; host: string }): Promise<{ server: Server; connections: () => number; port: number }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((resolve) => (typeof address === 'string' ? server.listen(address, resolve) : server.listen(address.port, address.host, resolve)));
  const a = server.address();
  return { server, connections: () => n, port: typeof a === 'object' && a !== null ? a.port : 0 };
}

/** The host's root filesystem device: path and major:minor (from mountinfo). */
function rootDevice(): { path: string; major: string; minor: string } {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === '/');
  assert.ok(line !== undefined);
  const [major, minor] = line.split(' ')[2].split(':');
  return { path: line.split(' - ')[1].split(' ')[1], major, minor };
}

describe('attack: a maintainer script tries to escape the sandbox', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const cli = cliOn(() => suite.daemon.socket);
  const hostDir = mkdtempSync(join(tmpdir(), 'aoatk-sbx-host-'));
  const victim = spawn('sleep', ['3600'], { stdio: 'ignore' });
  const closers: (() => void)[] = [];
  after(() => {
    victim.kill('SIGKILL');
    for (const c of closers) c();
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('every escape is blocked, nothing reaches the host, and the package still installs', async () => {
    const secret = randomBytes(16).toString('hex');
    writeFileSync(join(hostDir, 'host-secret'), secret);
    const tcp = await listening({ port: 0, host: '127.0.0.1' });
    const abstractName = `aoatk-sbx-${randomBytes(6).toString('hex')}`;
    const abstract = await listening(`\0${abstractName}`);
    closers.push(
      () => tcp.server.close(),
      () => abstract.server.close(),
    );
    const disk = rootDevice();
    const targets = {
      host_dir: hostDir,
      host_secret: join(hostDir, 'host-secret'),
      tcp_port: String(tcp.port),
      abstract_name: abstractName,
      daemon_socket: suite.daemon.socket,
      victim_pid: String(victim.pid),
      block_device: disk.path,
      block_major: disk.major,
      block_minor: disk.minor,
    };
    addHostileDeb(suite.fixture.aptDir, {
      name: 'escaper',
      version: '1.0',
      files: {
        '/usr/lib/aoatk/escape': { content: compileStatic('escape-attempts'), mode: 0o755 },
        '/usr/lib/aoatk/targets': {
          content: Object.entries(targets)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''),
          mode: 0o644,
        },
        '/usr/share/aoatk/README': { content: 'results of the escape attempts\n', mode: 0o644 },
      },
      postinst: '#!/bin/sh\n/usr/lib/aoatk/escape /usr/lib/aoatk/targets /usr/share/aoatk/results\nexit 0\n',
    });
    assert.equal((await cli('refresh-md', '--force')).code, 0);

    const r = await cli('install', 'escaper');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await suite.deployments())[0];
    assert.deepEqual(d.requestedPackages, ['escaper']);
    const root = deploymentRoot(suite.fixture.sysroot, d.id);
    const results = readFileSync(join(root, 'usr/share/aoatk/results'), 'utf8');
    const outcome = (name: string): string => results.split('\n').find((l) => l.startsWith(`${name} `)) ?? `${name} (no result)`;

    // Every finding at once, so a failure shows the whole picture.
    const problems: string[] = [];
    const check = (ok: boolean, problem: string): void => {
      if (!ok) problems.push(problem);
    };
    // Inside: only the capabilities dpkg and scripts need.
    const caps = /^capabilities effective ([0-9a-f]+)$/m.exec(results);
    const effective = caps === null ? -1n : BigInt(`0x${caps[1]}`);
    check(effective !== -1n && (effective & FORBIDDEN) === 0n, `forbidden capabilities inside: ${effective.toString(16)}`);
    check(effective === ALLOWED, `capabilities inside ${effective.toString(16)}, expected ${ALLOWED.toString(16)}`);
    for (const name of [
      'chroot-breakout',
      'remount',
      'write-host-path',
      'mknod',
      'open-host-block-device',
      'tcp-loopback',
      'daemon-socket',
      'abstract-socket',
      'system-bus',
      'signal-host-process',
      'write-sysctl',
      'open-by-handle',
    ]) {
      check(outcome(name).startsWith(`${name} blocked`), outcome(name));
    }
    // Outside: the host saw nothing of it.
    check(readdirSync(hostDir).join() === 'host-secret', `the host directory has ${readdirSync(hostDir).join(', ')}`);
    check(tcp.connections() === 0, `${tcp.connections()} connections reached the host loopback listener`);
    check(abstract.connections() === 0, `${abstract.connections()} connections reached the abstract socket`);
    check(victim.exitCode === null && victim.signalCode === null, `the host process ended (${victim.signalCode ?? victim.exitCode})`);
    // What the script found as /etc/shadow (if anything) is the tree's, never the host's.
    const seen = join(root, 'usr/share/aoatk/shadow-seen');
    if (existsSync(seen)) check(readFileSync(seen, 'utf8') !== readFileSync('/etc/shadow', 'utf8'), "the host's /etc/shadow was copied into the tree");
    else check(outcome('read-shadow').startsWith('read-shadow blocked'), outcome('read-shadow'));
    check(!results.includes(secret), 'the host secret was read');
    assert.deepEqual(problems, [], results);
  });
});
