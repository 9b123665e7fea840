/**
 * On the booted test machine: package layering across a real reboot (the staged deployment
 * finalized by ostree-finalize-staged at shutdown), rollback, and a power cut in the middle of a
 * layering (more cuts, and the upgrade across a reboot: test/vm/extended/, npm run test:vm).
 * The packages come from the machine's offline sources: a `file:` APT repository and an OSTree
 * repo on the read-only data disk. Last, apply-live: the pending deployment's packages on the
 * running system without a reboot (a transient overlay over /usr), then the reboot into it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from './support/guest.js';
import { checkAfterCut, cutDuring } from './support/power-cut.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: layering across a reboot, rollback, a power cut', { skip }, () => {
  const g = guestSuite('vm-layering');

  it('install stages a deployment; after the reboot the packages run; rollback + reboot brings back the base without them', async () => {
    const base = (await g.deployments())[0];
    assert.equal(base.booted, true);
    const r = await g.cli(['install', 'fooapp', 'hello']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const staged = await g.deployments();
    assert.equal(staged.length, 2);
    assert.equal(staged[0].staged, true, 'on a booted system the new deployment is staged');
    assert.deepEqual(staged[0].requestedPackages, ['fooapp', 'hello']);
    assert.match(await g.ok(['apt-ostree', 'status']), /LayeredPackages: .*fooapp/);
    assert.notEqual((await g.run(['hello'])).code, 0, 'not on the running system before the reboot');
    await g.reboot();
    const after = await g.deployments();
    assert.equal(after[0].booted, true);
    assert.equal(after[0].staged, false);
    assert.deepEqual([...after[0].layeredPackages].sort(), ['fooapp', 'hello', 'libfoo1']);
    assert.equal((await g.ok(['hello'])).trim(), 'Hello, world!');
    assert.equal((await g.ok(['fooapp'])).trim(), 'fooapp 2.0');
    // The real Debian package's dpkg record, in the deployment's database.
    assert.match(await g.ok(['dpkg-query', '-W', '-f', '${Status}', 'hello']), /install ok installed/);

    const rb = await g.cli(['rollback']);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    await g.reboot();
    const back = await g.deployments();
    assert.equal(back[0].booted, true);
    assert.equal(back[0].checksum, base.checksum, 'the base deployment is booted again');
    assert.deepEqual(back[0].layeredPackages, []);
    assert.notEqual((await g.run(['sh', '-c', 'command -v hello'])).code, 0, 'hello is gone');
  });

  it('a power cut in the middle of a layering: the old deployment boots, the layering is failed in the history, the next one succeeds', async () => {
    const booted = (await g.deployments())[0];
    const out = await cutDuring(g, ['install', 'fooapp'], /^(Unpacking|Configuring|Committing)/m);
    assert.match(out, /Resolving/);
    await checkAfterCut(g, booted.checksum, 'OS.PkgChange');
    const again = await g.cli(['install', 'fooapp']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal((await g.deployments())[0].staged, true);
  });

  it('apply-live: the staged packages run at once; install -A adds one; --reset takes them back; a removal needs --allow-replacement; the reboot boots the staged deployment', async () => {
    // The staged deployment of the test before has fooapp; the running system does not.
    assert.notEqual((await g.run(['sh', '-c', 'command -v fooapp'])).code, 0);
    const live = await g.cli(['apply-live']);
    assert.equal(live.code, 0, live.stderr + live.stdout);
    assert.match(live.stdout, /Successfully updated the running system/);
    assert.equal((await g.ok(['fooapp'])).trim(), 'fooapp 2.0', 'runs without a reboot');
    assert.match(await g.ok(['dpkg-query', '-W', '-f', '${Status}', 'fooapp']), /install ok installed/);
    assert.equal((await g.ok(['cat', '/etc/fooapp.conf'])).trim(), 'greeting=hello', "the package's new /etc file");
    const status = await g.ok(['apt-ostree', 'status']);
    assert.match(status, /LiveCommit: [0-9a-f]{64}/);
    assert.match(status, /Unlocked: transient/);
    assert.notEqual((await g.run(['touch', '/usr/share/apt-ostree-live-test'])).code, 0, '/usr stays read-only for everyone else');
    const alice = await g.cli(['apply-live', '--reset'], { user: 'alice' });
    assert.notEqual(alice.code, 0, 'a user without authorization cannot change the running system');

    const a = await g.cli(['install', '-A', 'hello']);
    assert.equal(a.code, 0, a.stderr + a.stdout);
    assert.equal((await g.ok(['hello'])).trim(), 'Hello, world!');

    const reset = await g.cli(['apply-live', '--reset']);
    assert.equal(reset.code, 0, reset.stderr + reset.stdout);
    for (const cmd of ['hello', 'fooapp']) assert.notEqual((await g.run(['sh', '-c', `command -v ${cmd}`])).code, 0, `${cmd} is gone again`);
    assert.doesNotMatch(await g.ok(['apt-ostree', 'status']), /LiveCommit/);
    assert.equal((await g.cli(['apply-live'])).code, 0);
    assert.equal((await g.ok(['hello'])).trim(), 'Hello, world!');

    assert.equal((await g.cli(['uninstall', 'hello'])).code, 0);
    const refused = await g.cli(['apply-live']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /adds packages only.*hello \(removed\)/s);
    const replaced = await g.cli(['apply-live', '--allow-replacement']);
    assert.equal(replaced.code, 0, replaced.stderr + replaced.stdout);
    assert.notEqual((await g.run(['sh', '-c', 'command -v hello'])).code, 0, 'hello removed live');
    assert.equal((await g.ok(['fooapp'])).trim(), 'fooapp 2.0');

    await g.reboot();
    const [booted] = await g.deployments();
    assert.equal(booted.booted, true);
    assert.deepEqual(booted.requestedPackages, ['fooapp']);
    assert.equal(booted.unlocked, 'none');
    assert.doesNotMatch(await g.ok(['apt-ostree', 'status']), /LiveCommit/);
    assert.equal((await g.ok(['fooapp'])).trim(), 'fooapp 2.0');
  });
});
