/**
 * `npm run bench -- vm` (opt-in: ~10 min under TCG): figures on the booted test machine, each
 * beside the same operation done by hand with ostree and dpkg in the same guest where one exists.
 * Times inside the guest are taken inside it (`date +%s%N` around the command), so the
 * host↔guest channel is not counted.
 */
import { exec, reboot, start, stop } from '../src/vm/vm-client.js';
import type { BenchTools } from './bench-tools.js';

const NAME = 'vm-bench';

/** Runs `script` in the guest's sh and returns the milliseconds it printed (nanoseconds / 1e6). */
async function timedInGuest(script: string): Promise<number> {
  const r = await exec(NAME, ['sh', '-c', `s=$(date +%s%N); (\n${script}\n) >/dev/null 2>&1 || echo FAILED; e=$(date +%s%N); echo $(( (e - s) / 1000 ))`]);
  const out = r.stdout.trim();
  if (out.includes('FAILED') || r.code !== 0) throw new Error(`in the guest: ${script}: ${out} ${r.stderr}`);
  return Number(out.split('\n').at(-1)) / 1000;
}

async function guestOk(argv: string[]): Promise<string> {
  const r = await exec(NAME, argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The by-hand layering in the guest: what the daemon's pipeline does, with the tools alone. */
const BY_HAND = [
  'set -e',
  'rm -rf /sysroot/ostree/repo/tmp/hand',
  'ostree checkout -H debian:debian/13/x86_64/apt-ostree-test /sysroot/ostree/repo/tmp/hand',
  'cd /sysroot/ostree/repo/tmp/hand',
  // In the repo's own tmp: /var is a bind mount, and hard links do not cross mounts. What dpkg
  // writes must not be the repo's hard-linked files: the database and /etc as copies.
  'cp -a usr/share/dpkg/database db.new && rm -rf usr/share/dpkg/database && mv db.new usr/share/dpkg/database',
  'cp -a usr/etc etc.new && rm -rf usr/etc && mv etc.new usr/etc && ln -s usr/etc etc',
  'mkdir -p var/lib && ln -sfn ../../usr/share/dpkg/database var/lib/dpkg',
  'dpkg --root=/sysroot/ostree/repo/tmp/hand --force-unsafe-io -i /var/mnt/testdata/apt/marker_*.deb',
  'rm -f etc && rm -rf var/lib',
  'ostree commit --repo=/sysroot/ostree/repo --link-checkout-speedup --consume -b hand/layered /sysroot/ostree/repo/tmp/hand',
  'cd / && ostree admin deploy --stage --os=debian hand/layered',
].join('\n');

export async function vmFigures(_dir: string, t: BenchTools): Promise<void> {
  await stop(NAME);
  const up = await start(NAME);
  try {
    const analyze = await guestOk(['systemd-analyze', 'time']);
    const m = /=\s*([\d.]+)(min|s)\b/.exec(analyze.split('\n')[0] ?? '');
    const systemdSeconds = m ? Number(m[1]) * (m[2] === 'min' ? 60 : 1) : NaN;
    t.add('VM: boot to ready (QEMU start → systemd running), vs the boot systemd itself counts (systemd-analyze)', up.seconds, systemdSeconds, 's', null);

    const cold: number[] = [];
    const warm: number[] = [];
    const hand: number[] = [];
    for (let i = 0; i < 5; i++) {
      await guestOk(['systemctl', 'stop', 'apt-ostreed.service']);
      cold.push(await timedInGuest('apt-ostree status'));
      warm.push(await timedInGuest('apt-ostree status'));
      hand.push(await timedInGuest('ostree admin status'));
    }
    t.add('VM: apt-ostree status, cold (socket activation in the guest), vs ostree admin status', t.median(cold), t.median(hand), 'ms', null);
    t.add('VM: apt-ostree status, warm, vs ostree admin status', t.median(warm), t.median(hand), 'ms', null);

    // A layering: the daemon's (CLI to exit) vs the same by hand; each then undone.
    await guestOk(['apt-ostree', 'refresh-md']);
    const daemonMs = await timedInGuest('apt-ostree install marker');
    await guestOk(['apt-ostree', 'cleanup', '--pending']);
    const handMs = await timedInGuest(BY_HAND);
    await guestOk(['apt-ostree', 'cleanup', '--pending']);
    t.add('VM: layering one package (apt-ostree install, staged) vs by hand (checkout, dpkg --root, commit, deploy --stage)', daemonMs, handMs, 'ms', null);

    // A reboot cycle with a staged deployment to finalize, vs a plain reboot.
    const plain = (await reboot(NAME)).seconds;
    await guestOk(['apt-ostree', 'install', 'marker']);
    const staged = (await reboot(NAME)).seconds;
    t.add('VM: reboot cycle finalizing a staged layering (apt-ostree install + reboot) vs a plain reboot', staged, plain, 's', null);
  } finally {
    await stop(NAME);
  }
}
