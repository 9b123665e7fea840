/**
 * On the booted test machine (Debian 13, systemd as PID 1, apt-ostreed installed from its .deb,
 * the units as shipped — hardening included): socket and bus activation, idle exit, the journal,
 * authorization of a user in a real logind session, the automatic update service, and
 * upgrading and purging the package itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from './support/guest.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: activation, sessions, journal, package', { skip }, () => {
  const g = guestSuite('vm-activation');
  const active = async (unit: string): Promise<string> => (await g.run(['systemctl', 'is-active', unit])).stdout.trim();
  const until = async (what: string, f: () => Promise<boolean>, seconds: number): Promise<void> => {
    const end = Date.now() + seconds * 1000;
    while (!(await f())) {
      if (Date.now() > end) assert.fail(`timed out after ${seconds} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  it("after boot the socket listens and the daemon is not running; a user's status starts it; idle, it exits; again on the next call", async () => {
    assert.equal(await active('apt-ostreed.socket'), 'active');
    assert.equal(await active('apt-ostreed.service'), 'inactive');
    assert.match(await g.ok(['ls', '-l', '/run/apt-ostreed.sock']), /^srw-rw-rw-/);
    await g.ok(['useradd', '-m', 'alice']);
    const status = await g.cli(['status'], { user: 'alice' });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^State: idle/m);
    assert.match(status.stdout, /^● debian:debian:debian\/13\/x86_64\/apt-ostree-test\n\s+Version: 13\.1 /m, 'the booted deployment, marked');
    assert.equal(await active('apt-ostreed.service'), 'active');
    // The image keeps the default IdleExitTimeout (60 s): a shorter one, by a drop-in config.
    await g.ok(['sed', '-i', 's/^IdleExitTimeout=.*/IdleExitTimeout=5/', '/etc/apt-ostreed/apt-ostreed.conf']);
    await g.ok(['systemctl', 'reload', 'apt-ostreed.service']);
    await until('the idle daemon to exit', async () => (await active('apt-ostreed.service')) === 'inactive', 60);
    assert.equal(await active('apt-ostreed.socket'), 'active');
    const again = await g.cli(['status'], { user: 'alice' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await active('apt-ostreed.service'), 'active');
    await until('the idle daemon to exit again', async () => (await active('apt-ostreed.service')) === 'inactive', 60);
    // Back to the default for the rest: under software emulation a start alone takes seconds.
    await g.ok(['sed', '-i', 's/^IdleExitTimeout=.*/IdleExitTimeout=60/', '/etc/apt-ostreed/apt-ostreed.conf']);
  });

  it('a D-Bus call on org.projectatomic.aptostree1 starts the daemon (bus activation)', async () => {
    assert.equal(await active('apt-ostreed.service'), 'inactive');
    // A generous timeout: the daemon starts under software emulation (~10-30 s of CPU).
    const r = await g.ok([
      'busctl',
      '--system',
      '--timeout=180',
      'get-property',
      'org.projectatomic.aptostree1',
      '/org/projectatomic/aptostree1/Sysroot',
      'org.projectatomic.aptostree1.Sysroot',
      'Booted',
    ]);
    assert.match(r, /^o "\/org\/projectatomic\/aptostree1\/debian/);
    assert.equal(await active('apt-ostreed.service'), 'active');
  });

  it("the journal has the daemon's lines with their priorities", async () => {
    // An unusable configuration on reload is an error (3); the idle exit is information (6).
    await g.ok(['systemctl', 'start', 'apt-ostreed.service']);
    await g.ok(['cp', '/etc/apt-ostreed/apt-ostreed.conf', '/root/apt-ostreed.conf.good']);
    try {
      await g.ok(['sed', '-i', 's/^IdleExitTimeout=.*/IdleExitTimeout=banana/', '/etc/apt-ostreed/apt-ostreed.conf']);
      await g.ok(['systemctl', 'reload', 'apt-ostreed.service']);
    } finally {
      // Whatever happened: an unusable file would keep every later start failing.
      await g.ok(['cp', '/root/apt-ostreed.conf.good', '/etc/apt-ostreed/apt-ostreed.conf']);
    }
    await g.ok(['systemctl', 'reload', 'apt-ostreed.service']);
    const lines = (await g.ok(['journalctl', '-u', 'apt-ostreed.service', '-o', 'json', '--no-pager']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { MESSAGE: string; PRIORITY: string; _COMM?: string })
      .filter((l) => l._COMM === 'node' || l._COMM === 'apt-ostreed');
    const find = (re: RegExp): { PRIORITY: string } | undefined => lines.find((l) => re.test(l.MESSAGE));
    assert.equal(find(/configuration not reloaded/)?.PRIORITY, '3', JSON.stringify(lines.slice(-10)));
    assert.equal(find(/idle for 5 s: exiting/)?.PRIORITY, '6', JSON.stringify(lines.slice(-10)));
    assert.equal(find(/configuration reloaded/)?.PRIORITY, '6');
  });

  it('a user in a login session reads, is refused install without an agent; a polkit rule for their group lets it through', async () => {
    // A real logind session of alice's, opened by the PAM stack of a console login (pam_systemd).
    const session = await g.ok(['sh', '-c', 'loginctl show-session "$XDG_SESSION_ID" -p Name -p Service -p Remote -p Active'], { user: 'alice' });
    assert.match(session, /^Name=alice$/m);
    assert.match(session, /^Service=login$/m);
    assert.match(session, /^Remote=no$/m);
    assert.match(session, /^Active=yes$/m);
    const refused = await g.cli(['install', 'marker'], { user: 'alice' });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /NotAuthorized|not authorized/i, refused.stderr);
    const before = await g.deployments();
    assert.equal(before.length, 1);
    await g.ok(['groupadd', 'aptostree-admins']);
    await g.ok(['usermod', '-aG', 'aptostree-admins', 'alice']);
    await g.write(
      '/etc/polkit-1/rules.d/50-apt-ostree-test.rules',
      'polkit.addRule(function(action, subject) {\n  if (action.id.indexOf("org.projectatomic.aptostree.") === 0 && subject.isInGroup("aptostree-admins")) return polkit.Result.YES;\n});\n',
    );
    const allowed = await g.cli(['install', '--dry-run', 'marker'], { user: 'alice' });
    assert.equal(allowed.code, 0, allowed.stderr + allowed.stdout);
    assert.match(allowed.stdout, /marker/);
    await g.ok(['rm', '/etc/polkit-1/rules.d/50-apt-ostree-test.rules']);
  });

  it('with policy check, apt-ostreed-automatic.service leaves a cached update that status shows', async () => {
    await g.ok(['sed', '-i', 's/^AutomaticUpdatePolicy=.*/AutomaticUpdatePolicy=check/', '/etc/apt-ostreed/apt-ostreed.conf']);
    await g.ok(['systemctl', 'reload-or-restart', 'apt-ostreed.service']);
    await g.ok(['systemctl', 'start', 'apt-ostreed-automatic.service']);
    // Type=simple, as rpm-ostreed-automatic.service: started means running; wait for its end.
    await until('the automatic update to finish', async () => (await active('apt-ostreed-automatic.service')) !== 'active', 300);
    const result = (await g.ok(['systemctl', 'show', '-p', 'Result', '--value', 'apt-ostreed-automatic.service'])).trim();
    assert.equal(result, 'success');
    const status = await g.ok(['apt-ostree', 'status']);
    assert.match(status, /^AvailableUpdate:/m, status);
    assert.match(status, /13\.2/, status);
    assert.equal((await g.deployments()).length, 1, 'check only: nothing deployed');
  });

  it('the package upgrades and purges on the booted machine (apt-ostree usroverlay); the socket keeps working across the upgrade', async () => {
    // apt-ostree usroverlay: /usr writable for root's shell (ostree admin unlock), shown in status.
    const unlock = await g.cli(['usroverlay']);
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.match(unlock.stdout, /Development mode enabled/);
    await g.ok(['touch', '/usr/share/apt-ostree-usroverlay-test']);
    assert.match((await g.cli(['status'])).stdout, /Unlocked: development/);
    const debs = (await g.ok(['sh', '-c', 'ls /var/mnt/testdata/debs/*.deb'])).trim();
    assert.match(debs, /apt-ostreed_.*\+vmtest1_amd64\.deb$/);
    assert.equal(await active('apt-ostreed.socket'), 'active');
    await g.ok(['dpkg', '-i', debs]);
    assert.match(await g.ok(['dpkg-query', '-W', '-f', '${Version}', 'apt-ostreed']), /\+vmtest1$/);
    assert.equal(await active('apt-ostreed.socket'), 'active');
    const status = await g.cli(['status'], { user: 'alice' });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^State: idle/m);
    await g.ok(['dpkg', '--purge', 'apt-ostreed']);
    for (const path of [
      '/usr/bin/apt-ostreed',
      '/usr/lib/systemd/system/apt-ostreed.socket',
      '/etc/apt-ostreed',
      '/var/lib/apt-ostree',
      '/var/cache/apt-ostree',
    ]) {
      assert.notEqual((await g.run(['test', '-e', path])).code, 0, `${path} is gone after purge`);
    }
    assert.notEqual(await active('apt-ostreed.socket'), 'active');
  });
});
