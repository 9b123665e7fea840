/**
 * On the booted test machine: apply-live (rpm-ostree's model). The staged deployment's packages
 * reach the running system without a reboot — /usr becomes a transient overlay, written by the
 * daemon's writer in the host's mount namespace (systemd-run from the service's own) — status
 * shows the live commit, a user without authorization is refused, `--reset` takes it back, a
 * removal needs `--allow-replacement`, and the reboot boots the staged deployment as usual.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from './support/guest.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: apply-live', { skip }, () => {
  const g = guestSuite('vm-apply-live');

  it('apply-live: the staged packages run at once; install -A adds one; --reset takes them back; a removal needs --allow-replacement; the reboot boots the staged deployment', async () => {
    const staged = await g.cli(['install', 'fooapp']);
    assert.equal(staged.code, 0, staged.stderr + staged.stdout);
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
