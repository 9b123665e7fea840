/** OS.KernelArgs and `apt-ostree kargs` on a real sysroot: new deployments, BLS entries, guards. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { captureIo } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { ostreeAdminStatus } from './support/ostree-admin-status.js';

describe('kernel arguments', () => {
  const suite = daemonSuite((dir) => buildStandardSysroot(join(dir, 'sysroot')));
  const { deployments } = suite;
  /** The `options` line of the default boot entry (libostree gives it the highest `version`). */
  const defaultBlsOptions = (): string => {
    const entries = join(suite.fixture.sysroot, 'boot', 'loader', 'entries');
    const parsed = readdirSync(entries).map((name) => {
      const text = readFileSync(join(entries, name), 'utf8');
      return { version: Number(/^version (\d+)$/m.exec(text)?.[1]), options: /^options (.*)$/m.exec(text)?.[1] ?? '' };
    });
    return parsed.sort((a, b) => b.version - a.version)[0].options;
  };

  it('without an edit reports the current arguments and changes nothing', async () => {
    const before = await deployments();
    const result = await suite.client.call<{ changed: boolean; kernelArgs: string[] }>('OS.KernelArgs', {});
    assert.equal(result.changed, false);
    assert.deepEqual(result.kernelArgs, before[0].kernelArgs);
    assert.deepEqual(await deployments(), before);
  });

  it('appends, deletes and replaces in a new deployment of the same commit, written to the boot entry', async () => {
    const before = await deployments();
    await suite.client.call('OS.KernelArgs', { append: ['loglevel=3'] });
    const result = await suite.client.call<{ changed: boolean; deployment: string; kernelArgs: string[] }>('OS.KernelArgs', {
      append: ['console=ttyS0,115200'],
      delete: ['quiet'],
      replace: ['loglevel=7'],
    });
    // KEY=OLD=NEW replaces only when the old value matches.
    await assert.rejects(suite.client.call('OS.KernelArgs', { replace: ['loglevel=3=5'] }), (e: RemoteError) => e.errorName === 'Failed');
    await suite.client.call('OS.KernelArgs', { replace: ['loglevel=7=5'] });
    assert.equal(result.changed, true);
    assert.ok(result.kernelArgs.includes('loglevel=7') && !result.kernelArgs.includes('loglevel=3'));
    const after = await deployments();
    assert.equal(after[0].checksum, before[0].checksum, 'same commit');
    assert.notEqual(after[0].serial, before[0].serial);
    assert.equal(after[1].checksum, before[0].checksum, 'the previous default is the rollback');
    for (const args of [after[0].kernelArgs, defaultBlsOptions().split(' ')]) {
      assert.ok(args.includes('console=ttyS0,115200'), args.join(' '));
      assert.ok(args.includes('loglevel=5'), args.join(' '));
      assert.ok(args.includes('root=UUID=1234'), args.join(' '));
      assert.ok(!args.includes('quiet'), args.join(' '));
    }
    assert.equal(ostreeAdminStatus(suite.fixture.sysroot)[0].serial, after[0].serial);
  });

  it('refuses a stale existingKernelArgString and deleting an absent argument; deleteIfPresent is not an error', async () => {
    const before = await deployments();
    await assert.rejects(
      suite.client.call('OS.KernelArgs', { existingKernelArgString: 'root=UUID=1234 rw quiet', append: ['x=1'] }),
      (e: RemoteError) => e.errorName === 'Failed' && /changed since they were read/.test(e.message),
    );
    await assert.rejects(suite.client.call('OS.KernelArgs', { delete: ['nosuchflag'] }), (e: RemoteError) => e.errorName === 'Failed');
    const same = await suite.client.call<{ changed: boolean }>('OS.KernelArgs', { deleteIfPresent: ['nosuchflag'] });
    assert.equal(same.changed, false);
    assert.deepEqual(await deployments(), before);
    const current = before[0].kernelArgs.join(' ');
    const ok = await suite.client.call<{ changed: boolean }>('OS.KernelArgs', { existingKernelArgString: current, appendIfMissing: ['rw'] });
    assert.equal(ok.changed, false, 'rw is already there');
  });

  it("finalKernelArgs (rpm-ostree's final-kernel-args) sets the whole line, checked against existingKernelArgString; not with edits", async () => {
    const current = (await deployments())[0].kernelArgs.join(' ');
    await assert.rejects(
      suite.client.call('OS.KernelArgs', { finalKernelArgs: `${current} x=1`, append: ['y=2'] }),
      (e: RemoteError) => e.code === -32602 && /cannot be combined/.test(e.message),
    );
    await assert.rejects(suite.client.call('OS.KernelArgs', { existingKernelArgString: `${current} stale`, finalKernelArgs: 'a=1' }), (e: RemoteError) =>
      /changed since they were read/.test(e.message),
    );
    const r = await suite.client.call<{ changed: boolean; kernelArgs: string[] }>('OS.KernelArgs', {
      existingKernelArgString: current,
      finalKernelArgs: `${current} final=1`,
    });
    assert.equal(r.changed, true);
    // ostree= is libostree's own (it names the boot directory, which changes).
    const own = (args: string[]) => args.filter((a) => !a.startsWith('ostree='));
    assert.deepEqual(own((await deployments())[0].kernelArgs), own([...current.split(' '), 'final=1']));
  });

  it('apt-ostree kargs: repeated options, then the current arguments', async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--append', 'a=1', '--append=b'], io), 0, io.err());
    const args = (await deployments())[0].kernelArgs;
    assert.ok(args.includes('a=1') && args.includes('b'), args.join(' '));
    // As rpm-ostree: the arguments alone, read (no transaction: the history does not grow).
    const history = async () => (await suite.client.call<{ transactions: unknown[] }>('Transaction.History', {})).transactions.length;
    const before = await history();
    const show = captureIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs'], show), 0);
    assert.equal(show.out(), `${args.join(' ')}\n`);
    assert.equal(await history(), before);
  });

  it('apt-ostree kargs --editor: the edited text becomes deletions and additions, guarded against concurrent edits', async () => {
    const before = (await deployments())[0].kernelArgs;
    assert.ok(before.includes('root=UUID=1234'));
    // The "editor" is sed run on the file: argv split on blanks, no shell.
    const io = captureIo({ EDITOR: 'sed -i -e s/root=UUID=1234/root=UUID=9999/ -e $anewarg', PATH: process.env.PATH });
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--editor'], io), 0, io.err());
    const after = (await deployments())[0].kernelArgs;
    assert.ok(after.includes('root=UUID=9999') && after.includes('newarg') && !after.includes('root=UUID=1234'), after.join(' '));
    assert.equal(after.length, before.length + 1);
    assert.ok(defaultBlsOptions().split(' ').includes('root=UUID=9999'));

    const same = captureIo({ EDITOR: 'true', PATH: process.env.PATH });
    const ids = (await deployments()).map((d) => d.id);
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--editor'], same), 0, same.err());
    assert.match(same.out(), /not changed/);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      ids,
    );

    const failing = captureIo({ EDITOR: 'false', PATH: process.env.PATH });
    assert.equal(await main(['--socket', suite.daemon.socket, 'kargs', '--editor'], failing), 1);
    assert.match(failing.err(), /exited with 1; nothing changed/);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      ids,
    );
  });
});
