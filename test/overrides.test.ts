/**
 * Overrides of base packages for real (rpm-ostree's `override remove|replace|reset` and
 * `reset`): the base gets a dpkg-installed package (its files and file list) and one that depends
 * on it; dpkg removes or replaces them in the layer, apt checks the dependencies, the origin keeps
 * `[overrides]`, status shows them, and upgrades apply them again to the new base.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import type { DebSpec } from '../src/demo/apt-repo.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { baseWithBasetool } from './support/basetool-base.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

/** Other versions of the base's basetool in the APT repository: an older one (a pin) and a newer one. */
const REPO_DEBS: DebSpec[] = [
  { name: 'basetool', version: '1.0', description: 'basetool, older', files: { '/usr/bin/basetool': 'basetool 1.0\n' } },
  { name: 'basetool', version: '3.0', description: 'basetool, newer', files: { '/usr/bin/basetool': 'basetool 3.0\n' } },
];

describe('overrides of base packages', () => {
  const suite = daemonSuite((dir) => layeringFixture(dir, REPO_DEBS), stopLayeringFixture);
  const { deployments } = suite;
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  const statusOf = (id: string): string => readFileSync(join(root(id), 'usr/share/dpkg/database/status'), 'utf8');
  const installed = (id: string, name: string): boolean => new RegExp(`^Package: ${name}\\nStatus: install ok installed`, 'm').test(statusOf(id));
  const origin = (id: string): string => readFileSync(`${root(id)}.origin`, 'utf8');

  it('the base with basetool 2.0 and baseuser (depends on it) is deployed', async () => {
    baseWithBasetool(suite.fixture, '12.3', '2.0');
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    const d = (await deployments())[0];
    assert.equal(d.version, '12.3');
    assert.ok(installed(d.id, 'basetool') && installed(d.id, 'baseuser'));
  });

  it('override remove of a package others depend on is refused naming them, and changes nothing', async () => {
    const before = await deployments();
    const r = await cli('override', 'remove', 'basetool');
    assert.equal(r.code, 1, r.out);
    assert.match(r.err + r.out, /would also remove base packages: baseuser .*override remove basetool baseuser/);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before.map((d) => d.id),
    );
    // Not a base package / a layered one: named errors that say what to do.
    await assert.rejects(
      suite.client.call('OS.Override', { remove: ['fooapp'] }),
      (e: RemoteError) => e.errorName === 'Failed' && /not a package of the base image/.test(e.message),
    );
    await assert.rejects(suite.client.call('OS.Override', { reset: ['basetool'] }), (e: RemoteError) => /has no override to reset/.test(e.message));
    await assert.rejects(suite.client.call('OS.Override', {}), (e: RemoteError) => /Nothing to override/.test(e.message));
    // A user value never becomes an option: the schema refuses it by name.
    await assert.rejects(suite.client.call('OS.Override', { remove: ['--force-all'] }), (e: RemoteError) => e.code === -32602);
  });

  it('override remove with the dependent: dpkg purges both in the layer; status, JSON, origin and db diff show it', async () => {
    const base = (await deployments())[0];
    const r = await cli('override', 'remove', 'basetool', 'baseuser');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /^Removing basetool, baseuser.*\.\.\. done$/m);
    const d = (await deployments())[0];
    assert.deepEqual(d.removedBasePackages, ['basetool', 'baseuser']);
    assert.equal(d.baseChecksum, base.checksum);
    assert.equal(existsSync(join(root(d.id), 'usr/bin/basetool')), false);
    assert.equal(existsSync(join(root(d.id), 'usr/bin/baseuser')), false);
    assert.ok(!installed(d.id, 'basetool') && !installed(d.id, 'baseuser'));
    assert.ok(existsSync(join(root(base.id), 'usr/bin/basetool')), 'the base deployment is untouched');
    assert.match(origin(d.id), /^\[overrides\]\nremove=basetool;baseuser;$/m);
    assert.match(origin(d.id), /^baserefspec=/m);
    const status = await cli('status');
    assert.match(status.out, /RemovedBasePackages: basetool baseuser/);
    const json = JSON.parse((await cli('status', '--json')).out) as { deployments: Record<string, unknown>[] };
    assert.deepEqual(json.deployments[0]['requested-base-removals'], ['basetool', 'baseuser']);
    const diff = await cli('db', 'diff', base.id, d.id);
    assert.equal(diff.code, 0, diff.err);
    assert.match(diff.out, /basetool/);
    assert.match(diff.out, /baseuser/);
  });

  it('override replace by another version from the sources (downgrade or upgrade); reset brings the base version back', async () => {
    const r0 = await cli('override', 'reset', '--all');
    assert.equal(r0.code, 0, r0.err + r0.out);
    let d = (await deployments())[0];
    assert.deepEqual(d.removedBasePackages, []);
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 2.0\n');
    assert.doesNotMatch(origin(d.id), /\[overrides\]/);

    assert.equal((await cli('override', 'replace', './no-such_1.0_all.deb')).code, 2, 'a file that cannot be opened is a usage error');
    const r = await cli('override', 'replace', 'basetool=1.0');
    assert.equal(r.code, 0, r.err + r.out);
    d = (await deployments())[0];
    assert.deepEqual(d.replacedBasePackages, ['basetool=1.0']);
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 1.0\n');
    assert.match(statusOf(d.id), /^Package: basetool\nStatus: install ok installed\n(?:.+\n)*?Version: 1\.0$/m);
    assert.ok(installed(d.id, 'baseuser'), 'its dependent stays');
    assert.match((await cli('status')).out, /ReplacedBasePackages: basetool 1\.0/);

    // A bare name: the version the sources offer (3.0), followed on every upgrade.
    const candidate = await cli('override', 'replace', 'basetool');
    assert.equal(candidate.code, 0, candidate.err + candidate.out);
    d = (await deployments())[0];
    assert.deepEqual(d.replacedBasePackages, ['basetool']);
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 3.0\n');
    const up = await cli('override', 'replace', 'basetool=3.0');
    assert.equal(up.code, 0, up.err + up.out);
    d = (await deployments())[0];
    assert.deepEqual(d.replacedBasePackages, ['basetool=3.0']);
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 3.0\n');
  });

  it('upgrades apply the overrides to the new base; a replacement the base caught up with is dropped with a message', async () => {
    // A new base, basetool still 2.0: the replacement by 3.0 is applied again.
    baseWithBasetool(suite.fixture, '12.4', '2.0');
    let r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    let d = (await deployments())[0];
    assert.equal(d.version, '12.4');
    assert.equal(readFileSync(join(root(d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 3.0\n');
    assert.deepEqual(d.replacedBasePackages, ['basetool=3.0']);
    // The next base has basetool 3.0 itself: the override goes, the deployment is the plain base.
    baseWithBasetool(suite.fixture, '12.5', '3.0');
    r = await cli('upgrade');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /The base has basetool 3\.0 itself: the replacement is dropped/);
    d = (await deployments())[0];
    assert.equal(d.version, '12.5');
    assert.deepEqual(d.replacedBasePackages, []);
    assert.equal(d.baseChecksum, null, 'nothing left to layer: the plain base');
    assert.doesNotMatch(origin(d.id), /\[overrides\]/);
  });

  it('reset drops layered packages and overrides in one transaction (keeping the base); --install starts over', async () => {
    let r = await cli('install', 'marker');
    assert.equal(r.code, 0, r.err + r.out);
    // Through UpdateDeployment's modifiers, as rpm-ostree's D-Bus clients send them.
    await suite.client.call('OS.UpdateDeployment', { modifiers: { overrideRemovePackages: ['baseuser'] }, options: {} });
    let d = (await deployments())[0];
    assert.deepEqual(d.requestedPackages, ['marker']);
    assert.deepEqual(d.removedBasePackages, ['baseuser']);
    const base = d.baseChecksum;
    r = await cli('reset', '--overrides');
    assert.equal(r.code, 0, r.err + r.out);
    d = (await deployments())[0];
    assert.deepEqual(d.removedBasePackages, []);
    assert.deepEqual(d.requestedPackages, ['marker'], '--overrides keeps the layered packages');
    r = await cli('reset', '--install', 'fooapp');
    assert.equal(r.code, 0, r.err + r.out);
    d = (await deployments())[0];
    assert.deepEqual(d.requestedPackages, ['fooapp']);
    assert.equal(d.baseChecksum, base, 'the same base: reset pulls nothing');
    r = await cli('reset');
    assert.equal(r.code, 0, r.err + r.out);
    d = (await deployments())[0];
    assert.deepEqual(d.requestedPackages, []);
    assert.equal(d.baseChecksum, null);
  });
});
