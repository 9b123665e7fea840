/**
 * Local .deb files layered for real: the CLI opens the file and passes it open (SCM_RIGHTS,
 * docs/fd-passing.md); the daemon stores it, the worker keeps it in the repository
 * (aptostree/local/NAME/SHA256) so that later upgrades layer it again, apt resolves its
 * dependencies from the sources, and `uninstall NAME` removes it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit } from '../src/demo/remote-fixture.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';
import { buildLocalDeb } from './support/local-deb.js';

/** `localtool_1.0_all.deb` (depends on libfoo1, which only the APT repository has) in `dir`. */
const LOCALTOOL = { name: 'localtool', version: '1.0', depends: 'libfoo1', files: { '/usr/bin/localtool': '#!/bin/sh\necho localtool\n' } };

describe('local .deb files', () => {
  const suite = daemonSuite(layeringFixture, stopLayeringFixture);
  const { deployments } = suite;
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const origin = (id: string): string => readFileSync(`${root(id)}.origin`, 'utf8');
  const repo = (): string => join(suite.fixture.sysroot, 'ostree/repo');

  it('install -n ./file.deb checks the file and plans with it, and imports nothing into the repository', async () => {
    const dir = join(suite.fixture.dir, 'debs');
    const { path } = buildLocalDeb(dir, LOCALTOOL);
    const refsBefore = execFileSync('ostree', ['refs', `--repo=${repo()}`], { encoding: 'utf8' });
    const before = (await deployments()).map((d) => d.id);
    const r = await cli('install', '-n', path);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /localtool 1\.0 \(local, sha256 /);
    assert.match(r.out, /Dry run: \d+ packages for localtool; nothing changed/);
    assert.equal(execFileSync('ostree', ['refs', `--repo=${repo()}`], { encoding: 'utf8' }), refsBefore, 'no new ref');
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before,
    );
    assert.deepEqual(existsSync(join(suite.daemon.cacheDir, 'received')) ? readdirSync(join(suite.daemon.cacheDir, 'received')) : [], []);
  });

  it('install ./file.deb: passed open, kept in the repository, its dependencies from the sources; status shows LocalPackages', async () => {
    const dir = join(suite.fixture.dir, 'debs');
    const { sha256 } = buildLocalDeb(dir, LOCALTOOL);
    const cwd = process.cwd();
    process.chdir(dir);
    let r;
    try {
      r = await cli('install', './localtool_1.0_all.deb');
    } finally {
      process.chdir(cwd);
    }
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.deepEqual(d.localPackages, [`localtool:${sha256}`]);
    assert.deepEqual([...d.layeredPackages].sort(), ['libfoo1', 'localtool']);
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/localtool'), 'utf8'), '#!/bin/sh\necho localtool\n');
    assert.match(origin(d.id), new RegExp(`^requested-local=localtool:${sha256};$`, 'm'));
    const refs = execFileSync('ostree', ['refs', `--repo=${repo()}`], { encoding: 'utf8' });
    assert.match(refs, new RegExp(`^aptostree/local/localtool/${sha256}$`, 'm'));
    assert.match((await cli('status')).out, new RegExp(`LocalPackages: localtool \\(${sha256.slice(0, 12)}\\)`));
    const json = JSON.parse((await cli('status', '--json')).out) as { deployments: Record<string, unknown>[] };
    assert.deepEqual(json.deployments[0]['requested-local-packages'], [`localtool:${sha256}`]);
    // The daemon kept nothing of the file outside the repository.
    rmSync(dir, { recursive: true });
    assert.deepEqual(
      existsSync(join(suite.daemon.cacheDir, 'received')) ? execFileSync('ls', [join(suite.daemon.cacheDir, 'received')], { encoding: 'utf8' }).trim() : '',
      '',
    );
  });

  it('an upgrade layers the local package again from the repository (the file is gone)', async () => {
    addServerCommit(suite.fixture, { version: '12.3' });
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.equal(d.version, '12.3');
    assert.ok(existsSync(join(root(d.id), 'usr/bin/localtool')));
    assert.equal(d.localPackages.length, 1);
  });

  it('what is not a Debian package, or a descriptor the request did not carry, is refused by name and changes nothing', async () => {
    const before = (await deployments()).map((d) => d.id);
    const text = join(suite.fixture.dir, 'not-a.deb');
    writeFileSync(text, 'just text\n');
    const fd = openSync(text, 'r');
    try {
      await assert.rejects(
        suite.client.call('OS.PkgChange', { localPackages: [{ fd: 0 }] }, { fds: [fd] }),
        (e: RemoteError) => e.code === -32602 && /localPackages\[0\]: not a Debian binary package/.test(e.message),
      );
    } finally {
      closeSync(fd);
    }
    await assert.rejects(
      suite.client.call('OS.PkgChange', { localPackages: [{ fd: 0 }] }),
      (e: RemoteError) => e.code === -32602 && /carried none/.test(e.message),
    );
    assert.equal((await cli('install', './no-such.deb')).code, 2);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before,
    );
  });

  it('uninstall NAME removes a local package', async () => {
    const r = await cli('uninstall', 'localtool');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.deepEqual(d.localPackages, []);
    assert.equal(existsSync(join(root(d.id), 'usr/bin/localtool')), false);
    assert.doesNotMatch(origin(d.id), /requested-local/);
  });
});
