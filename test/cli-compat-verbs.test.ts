/**
 * The small verbs and options scripts written for rpm-ostree use, against the real daemon on a
 * real sysroot: --version, a closed stdout pipe, the verb aliases, status -v/-b/--pending-exit-77,
 * the short options, finalize-deployment's options, db list/version, kargs --deploy-index and
 * --import-proc-cmdline. (rebase -b/-m: cli-compat-rebase.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs, type ArgsDef } from 'citty';
import { BROKEN_PIPE_EXIT } from '../src/cli/broken-pipe.js';
import { hasPendingDeployment } from '../src/cli/commands/status.js';
import { ALIASES, COMMANDS } from '../src/cli/commands/index.js';
import { dpkgDatabaseVersion, globRegExp } from '../src/cli/commands/db-list.js';
import { paramsFrom } from '../src/cli/flags/schema-flags.js';
import { main } from '../src/cli/main.js';
import { importableCmdline } from '../src/cli/proc-cmdline.js';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot, type StandardSysroot } from '../src/demo/sysroot-builder.js';
import { captureIo, cliOn } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { CLI_BIN, REPO_ROOT } from './support/repo-root.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The params a verb's options make, parsed as the CLI parses them (no daemon). */
function paramsOf(verb: string, argv: string[]): Record<string, unknown> {
  const args = COMMANDS[verb].definition.args as ArgsDef;
  return paramsFrom(args, parseArgs(argv, args), argv);
}

describe('CLI: rpm-ostree compatibility of verbs and options', () => {
  const suite = daemonSuite((dir): StandardSysroot => buildStandardSysroot(join(dir, 'sysroot')));
  const cli = cliOn(() => suite.daemon.socket);

  it("--version prints package.json's version in rpm-ostree's shape, exit 0 (in-process and as a process)", async () => {
    const io = captureIo();
    assert.equal(await main(['--version'], io), 0);
    assert.equal(io.out(), `apt-ostree:\n Version: '${VERSION}'\n`);
    const r = await run([CLI_BIN, '--version']);
    assert.equal(r.code, 0);
    assert.equal(r.out, io.out());
  });

  it(`a closed stdout ends the CLI quietly with ${BROKEN_PIPE_EXIT} (status --json | head -1), not a stack trace`, async () => {
    for (const verb of [['status', '--json'], ['db', 'list'], ['kargs']]) {
      const r = await run([CLI_BIN, '--socket', suite.daemon.socket, ...verb], { closeStdout: true });
      assert.equal(r.code, BROKEN_PIPE_EXIT, `${verb.join(' ')}: ${r.err}`);
      assert.equal(r.err, '', verb.join(' '));
    }
  });

  it('aliases: update, pkg-add, pkg-remove, remove and makecache run their verb and show in --help', async () => {
    const help = await cli('--help');
    assert.match(help.out, /upgrade .*\(also: update\)/);
    assert.match(help.out, /install .*\(also: pkg-add\)/);
    assert.match(help.out, /uninstall .*\(also: pkg-remove, remove\)/);
    assert.match(help.out, /refresh-md .*\(also: makecache\)/);
    for (const [alias, verb] of Object.entries(ALIASES)) {
      const verbHelp = await cli(alias, '--help');
      assert.equal(verbHelp.code, 0);
      assert.equal(verbHelp.out, (await cli(verb, '--help')).out, alias);
    }
    const update = await cli('update', '-C');
    assert.equal(update.code, 0, update.err);
    assert.match(update.out, /No upgrade available/);
    const remove = await cli('remove', '-n', '-y', 'hello');
    assert.match(remove.out, /Started transaction/, 'remove reached OS.PkgChange');
    const pkgRemove = await cli('pkg-remove', '--dry-run', 'hello');
    assert.match(pkgRemove.out, /Started transaction/);
    const makecache = await cli('makecache');
    assert.equal(makecache.code, 0, makecache.err);
    const titles = (await suite.client.call<{ transactions: { title: string }[] }>('Transaction.History', {})).transactions.map((t) => t.title);
    assert.deepEqual(titles.slice(0, 4), ['refresh-md', 'pkg-change -hello', 'pkg-change -hello', 'upgrade']);
    // Only verbs and aliases are verbs: not what every object has.
    assert.equal((await cli('constructor')).code, 2);
  });

  it('status -v adds stateroot, id, index and kernel arguments; -b is --booted; --pending-exit-77', async () => {
    const deployments = await suite.deployments();
    const verbose = await cli('status', '-v');
    assert.equal(verbose.code, 0, verbose.err);
    for (const d of deployments) {
      assert.ok(verbose.out.includes(`Deployment: ${d.id}\n`), verbose.out);
      assert.ok(verbose.out.includes(`Index: ${d.index}\n`), verbose.out);
      assert.ok(verbose.out.includes(`KernelArgs: ${d.kernelArgs.join(' ')}\n`), verbose.out);
    }
    assert.match(verbose.out, /StateRoot: debian\n/);
    assert.doesNotMatch((await cli('status')).out, /StateRoot|Index:/);
    assert.equal((await cli('status', '-b')).out, (await cli('status', '--booted')).out);
    // Not booted into this sysroot: nothing is pending.
    assert.equal((await cli('status', '--pending-exit-77')).code, 0);
    const booted = { osname: 'debian', booted: true };
    const other = { osname: 'debian', booted: false };
    assert.equal(hasPendingDeployment([booted, other]), false);
    assert.equal(hasPendingDeployment([other, booted]), true, 'the next boot is not the booted deployment');
    assert.equal(hasPendingDeployment([{ osname: 'fedora', booted: false }, booted]), false, "another OS's deployment");
    assert.equal(hasPendingDeployment([other, other]), false);
  });

  it("short options set rpm-ostree's params: -r, -C, -n, -y (accepted), refresh-md -f", () => {
    for (const verb of ['upgrade', 'deploy', 'rebase']) {
      assert.deepEqual(paramsOf(verb, ['-r', '-C']), { reboot: true, cacheOnly: true }, verb);
    }
    assert.deepEqual(paramsOf('rollback', ['-r']), { reboot: true });
    assert.deepEqual(paramsOf('initramfs', ['-r']).reboot, true);
    for (const verb of ['install', 'uninstall']) {
      assert.deepEqual(paramsOf(verb, ['-n', '-y', '-r', 'htop']), { dryRun: true, reboot: true }, verb);
    }
    assert.deepEqual(paramsOf('refresh-md', ['-f']), { force: true });
    assert.deepEqual(paramsOf('rebase', ['--skip-purge']), { skipPurge: true });
    assert.deepEqual(paramsOf('finalize-deployment', ['--allow-missing-checksum', '--allow-unlocked']), {
      allowMissingChecksum: true,
      allowUnlocked: true,
    });
  });

  it('finalize-deployment: a CHECKSUM, or --allow-missing-checksum (then the daemon answers: nothing staged here)', async () => {
    const none = await cli('finalize-deployment');
    assert.equal(none.code, 2);
    assert.match(none.err, /--allow-missing-checksum/);
    assert.equal((await cli('finalize-deployment', 'abc')).code, 2);
    const missing = await cli('finalize-deployment', '--allow-missing-checksum', '--allow-unlocked');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nothing can be staged.*NoSuchDeployment/);
  });

  it('db list [DEPLOYMENT] [PATTERN...]: the dpkg database of a deployment, names matching shell globs', async () => {
    const [layered, v2, v1] = await suite.deployments();
    const all = await cli('db', 'list');
    assert.equal(all.code, 0, all.err);
    assert.equal(
      all.out,
      [
        `Deployment: ${layered.id}`,
        ' base-files 12.4+deb12u1 amd64',
        ' bash 5.2.15-2+b2 amd64',
        ' dpkg 1.21.22 amd64',
        ' hello 2.10-3 amd64',
        ' jq 1.6-2.1 amd64',
        ' libc6 2.36-9 amd64',
        '',
      ].join('\n'),
    );
    const some = await cli('db', 'list', '1', 'b*', 'lib?6', 'hello');
    assert.equal(some.out, `Deployment: ${v2.id}\n base-files 12.4+deb12u1 amd64\n bash 5.2.15-2+b2 amd64\n libc6 2.36-9 amd64\n`);
    const json = await cli('db', 'list', v1.id, '--json', 'base-*');
    assert.deepEqual(JSON.parse(json.out), { deployment: v1.id, packages: [{ name: 'base-files', version: '12.4', architecture: 'amd64' }] });
    const missing = await cli('db', 'list', '9');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /NoSuchDeployment/);
    assert.ok(globRegExp('lib[a-c]*').test('libc6') && !globRegExp('lib[!c]*').test('libc6') && !globRegExp('a.b').test('axb'));
  });

  it('db version [DEPLOYMENT]: COUNT:SHA1 of the installed packages, equal for equal package sets', async () => {
    const [layered, v2] = await suite.deployments();
    const r = await cli('db', 'version');
    assert.equal(r.code, 0, r.err);
    const listing = await suite.client.call<{ packages: { name: string; version: string; architecture: string }[] }>('OS.ListPackages', { deployment: v2.id });
    assert.match(r.out, new RegExp(`^Deployment: ${layered.id}\n  dpkg database version: 6:[0-9a-f]{40}\n$`));
    const one = await cli('db', 'version', '1', '--json');
    assert.deepEqual(JSON.parse(one.out), { deployment: v2.id, dpkgDatabaseVersion: dpkgDatabaseVersion(listing.packages) });
    assert.match(dpkgDatabaseVersion(listing.packages), /^4:/);
    assert.equal(dpkgDatabaseVersion([...listing.packages].reverse()), dpkgDatabaseVersion(listing.packages), 'order does not matter');
    assert.equal((await cli('db', 'version', '1', '2')).code, 2);
    assert.equal((await cli('db', 'frobnicate')).code, 2);
  });

  it('kargs --deploy-index=N shows and edits from deployment N (the new deployment is still the default one); --unchanged-exit-77', async () => {
    assert.equal((await cli('kargs', '--append', 'only-default=1')).code, 0);
    const [dflt, previous] = await suite.deployments();
    assert.ok(dflt.kernelArgs.includes('only-default=1'));
    const shown = await cli('kargs', '--deploy-index=1');
    assert.equal(shown.out, `${previous.kernelArgs.join(' ')}\n`);
    const r = await cli('kargs', '--deploy-index', '1', '--append', 'from-one=1');
    assert.equal(r.code, 0, r.err);
    const [next] = await suite.deployments();
    assert.equal(next.checksum, dflt.checksum, "the default deployment's commit");
    assert.ok(next.kernelArgs.includes('from-one=1') && !next.kernelArgs.includes('only-default=1'), next.kernelArgs.join(' '));
    assert.equal((await cli('kargs', '--deploy-index=x')).code, 2);
    // --unchanged-exit-77: 77 when nothing changed, 0 when something did.
    assert.equal((await cli('kargs', '--append-if-missing', 'from-one=1', '--unchanged-exit-77')).code, 77);
    assert.equal((await cli('kargs', '--json', '--append-if-missing', 'from-one=1', '--unchanged-exit-77')).code, 77);
    assert.equal((await cli('kargs', '--append-if-missing', 'from-one=1')).code, 0);
    const changed = await cli('kargs', '--append-if-missing', 'new-one=1', '--unchanged-exit-77');
    assert.equal(changed.code, 0, changed.err);
    const nowhere = await cli('kargs', '--deploy-index=99', '--append', 'x=1');
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.err, /No deployment 99/);
    // Through the API: no edit reports deployment N's arguments and writes nothing.
    const report = await suite.client.call<{ changed: boolean; kernelArgs: string[] }>('OS.KernelArgs', { deployment: '1' });
    assert.equal(report.changed, false);
    assert.deepEqual(report.kernelArgs, (await suite.deployments())[1].kernelArgs);
  });

  it("kargs --import-proc-cmdline starts from the running kernel's command line, without BOOT_IMAGE= and initrd=", async () => {
    const cmdline = 'BOOT_IMAGE=(hd0,gpt2)/ostree/vmlinuz root=UUID=1234 rw proc-only="a b" initrd=/initrd.img\n';
    const procIo = () => ({ ...captureIo(), procCmdline: () => cmdline });
    const show = procIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--import-proc-cmdline'], show), 0, show.err());
    assert.equal(show.out(), 'root=UUID=1234 rw proc-only="a b"\n');
    const edit = procIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--import-proc-cmdline', '--append', 'imported=1'], edit), 0, edit.err());
    const [next] = await suite.deployments();
    const own = next.kernelArgs.filter((a) => !a.startsWith('ostree='));
    assert.deepEqual(own, ['root=UUID=1234', 'rw', 'proc-only="a b"', 'imported=1']);
    for (const extra of [['--deploy-index=1'], ['--os', 'debian']]) {
      const io = procIo();
      assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--import-proc-cmdline', ...extra], io), 2, extra.join(' '));
    }
    await assert.rejects(
      suite.client.call('OS.KernelArgs', { baseKernelArgs: 'a=1', deployment: '1', append: ['b=2'] }),
      (e: RemoteError) => e.code === -32602 && /cannot be combined/.test(e.message),
    );
    assert.equal(importableCmdline('initrd=\\x BOOT_IMAGE=/v quiet\n'), 'quiet');
  });
});

/** Runs node with `args`; with closeStdout, the reader of its stdout is gone from the start. */
function run(args: string[], opts: { closeStdout?: boolean } = {}): Promise<{ code: number | string; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    if (opts.closeStdout === true) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => resolve({ code: code ?? signal ?? -1, out, err }));
  });
}
