/**
 * The test machine: a Debian 13 OSTree image with apt-ostreed's own .deb, built by the
 * project's compose tool, and the read-only data disk it works from offline. Everything is
 * cached under the test cache dir, keyed by what went into it (the tree, the .debs, the agent,
 * the test packages, this recipe); `vm start` boots a sparse copy.
 *
 * The data disk (label apt-ostree-data, mounted read-only at /var/mnt/testdata):
 * - ostree/repo: the compose repo; its branch holds version 13.1 (what the image deploys) and
 *   13.2 on top of it (a ~32 MB payload more: an upgrade with something to pull);
 * - apt/: a flat APT repository (`file:` source in the image) of the suite's fixture packages
 *   and `hello` copied from the Debian archive;
 * - debs/: apt-ostreed's .deb again at a higher version (package upgrade tests).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { commitTree } from '../compose/commit-tree.js';
import { makeDiskImage } from '../compose/disk-image.js';
import { composeRoot } from '../compose/rootfs.js';
import { loadTreeFile } from '../compose/tree-file.js';
import { buildAptRepo, FIXTURE_DEBS } from '../demo/apt-repo.js';
import { testCacheDir } from '../demo/debootstrap-tree.js';
import { downloadDebs } from './debian-download.js';
import { REPO_DIR, buildDeb } from './project-deb.js';

/** Bumped whenever the image recipe changes. */
const RECIPE = 2;
const TEST_REF = 'debian/13/x86_64/apt-ostree-test';
const TEST_REMOTE = 'debian';
const DATA_MOUNT = '/var/mnt/testdata';
const SUITE = 'trixie';

export interface TestImage {
  dir: string;
  disk: string;
  data: string;
  deb: string;
  debUpgrade: string;
  /** The commits of the two versions on the branch. */
  v1: string;
  v2: string;
}

export const vmCacheDir = (): string => join(testCacheDir(), 'vm');

const PACKAGES = [
  'systemd-sysv',
  'udev',
  'dbus',
  'dracut',
  'linux-image-amd64',
  'ostree',
  'ostree-boot',
  'polkitd',
  'libpam-systemd',
  'login',
  'passwd',
  'kmod',
  'util-linux',
  'procps',
];

/** The files the test image adds to the tree: path in the tree → content. */
function addedFiles(agentJs: string): Record<string, { content: string; mode?: string }> {
  return {
    '/usr/lib/apt-ostree-vm/agent.mjs': { content: agentJs },
    '/etc/systemd/system/apt-ostree-vm-agent.service': {
      content: `[Unit]
Description=apt-ostree VM driver agent (test machines only: runs the host's commands)
BindsTo=dev-virtio\\x2dports-org.aptostree.vm.agent.device
After=dev-virtio\\x2dports-org.aptostree.vm.agent.device

[Service]
ExecStart=/usr/bin/node /usr/lib/apt-ostree-vm/agent.mjs
Restart=always

[Install]
WantedBy=multi-user.target
`,
    },
    '/etc/systemd/system/var-mnt-testdata.mount': {
      content: `[Unit]
Description=apt-ostree test data (the second, read-only disk)

[Mount]
What=/dev/disk/by-label/apt-ostree-data
Where=${DATA_MOUNT}
Type=ext4
Options=ro

[Install]
WantedBy=multi-user.target
`,
    },
    '/etc/apt/sources.list.d/apt-ostree-test.list': { content: `deb [trusted=yes] file:${DATA_MOUNT}/apt ./\n` },
    // A person on the serial console (vm console) is root at once: a test machine.
    '/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf': {
      content: '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noreset --noclear --keep-baud 115200,57600,38400,9600 - ${TERM}\n',
    },
    '/etc/hostname': { content: 'apt-ostree-vm\n' },
    // Software emulation runs programs tens of times slower than hardware: a bus-activated node
    // daemon needed 16-30 s to own its name, against the system bus's 25 s activation limit.
    '/etc/dbus-1/system.d/zz-apt-ostree-vm-timeouts.conf': {
      content: `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- apt-ostree test machine (emulated): slower service starts than the default 25 s allows. -->
  <limit name="service_start_timeout">180000</limit>
</busconfig>
`,
    },
  };
}

function treeFile(
  dir: string,
  version: string,
  deb: string,
  files: Record<string, { content: string; mode?: string }>,
  extra: { source: string; dest: string }[],
): string {
  const filesDir = join(dir, 'files');
  mkdirSync(filesDir, { recursive: true });
  const addFiles = Object.entries(files).map(([dest, f], i) => {
    const source = join(filesDir, `${i}-${basename(dest)}`);
    writeFileSync(source, f.content);
    return { source, dest, ...(f.mode === undefined ? {} : { mode: f.mode }) };
  });
  const tree = {
    ref: TEST_REF,
    version,
    suite: SUITE,
    packages: PACKAGES,
    'local-packages': [deb],
    // panic=-1: a kernel panic reboots at once, which ends QEMU (-no-reboot): the driver reports a
    // failed boot with the console's end instead of waiting for its timeout.
    'kernel-args': ['console=ttyS0', 'panic=-1'],
    'add-files': [...addFiles, ...extra],
    'remove-files': ['/etc/apt/sources.list'],
    units: { enable: ['apt-ostree-vm-agent.service', 'var-mnt-testdata.mount'] },
  };
  const path = join(dir, `tree-${version}.json`);
  writeFileSync(path, `${JSON.stringify(tree, null, 2)}\n`);
  return path;
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The test image, built on the first call (~3 min cold on 2 cores) and cached. With
 * APT_OSTREE_VM_IMAGE naming the image.json of an image built just before (scripts/test.sh
 * builds once, then runs the machine suites side by side), that image is used as it is:
 * nothing is rebuilt, so suites running at once do not build the .deb over each other.
 */
export function buildTestImage(log: (line: string) => void): TestImage {
  const prebuilt = process.env.APT_OSTREE_VM_IMAGE;
  if (prebuilt !== undefined && prebuilt !== '' && existsSync(prebuilt)) {
    log(`image: prebuilt ${dirname(prebuilt)}`);
    return JSON.parse(readFileSync(prebuilt, 'utf8')) as TestImage;
  }
  const deb = buildDeb(undefined, log);
  const debUpgrade = buildDeb('+vmtest1', log);
  const agentJs = readFileSync(join(REPO_DIR, 'dist/src/vm/guest-agent.js'), 'utf8');
  const key = sha(
    JSON.stringify({ RECIPE, PACKAGES, deb: sha(readFileSync(deb)), debUpgrade: sha(readFileSync(debUpgrade)), files: addedFiles(agentJs), FIXTURE_DEBS }),
  ).slice(0, 16);
  const cache = vmCacheDir();
  const images = join(cache, 'images');
  const dir = join(images, `r${RECIPE}-${key}`);
  const info = join(dir, 'image.json');
  if (existsSync(info)) {
    log(`image: cached ${dir}`);
    return JSON.parse(readFileSync(info, 'utf8')) as TestImage;
  }
  mkdirSync(images, { recursive: true });
  // Images of other inputs are never booted again.
  for (const e of readdirSync(images)) rmSync(join(images, e), { recursive: true, force: true });
  const work = join(images, `building-${key}-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const repo = join(work, 'repo');
    const composeCache = join(cache, 'compose');
    const t1 = loadTreeFile(treeFile(work, '13.1', deb, addedFiles(agentJs), []));
    const root = composeRoot(t1, composeCache, log);
    const v1 = commitTree(t1, root, repo, join(composeCache, 'scratch'));
    log(`compose: 13.1 ${v1}`);
    const diskName = 'disk.img';
    makeDiskImage({
      repo,
      ref: TEST_REF,
      output: join(work, diskName),
      sizeBytes: 8 * 1024 ** 3,
      remote: { name: TEST_REMOTE, url: `file://${DATA_MOUNT}/ostree/repo` },
    });
    log('image: disk.img');
    const payload = join(work, 'payload.bin');
    writeFileSync(payload, randomBytes(32 * 1024 * 1024));
    const t2 = loadTreeFile(treeFile(work, '13.2', deb, addedFiles(agentJs), [{ source: payload, dest: '/usr/share/apt-ostree-test/payload.bin' }]));
    const v2 = commitTree(t2, root, repo, join(composeCache, 'scratch'));
    log(`compose: 13.2 ${v2}`);
    // The data disk.
    const data = join(work, 'data');
    mkdirSync(join(data, 'ostree'), { recursive: true });
    execFileSync('cp', ['-a', '--', repo, join(data, 'ostree/repo')]);
    const apt = join(data, 'apt');
    mkdirSync(apt, { recursive: true });
    downloadDebs(['hello'], {
      suite: SUITE,
      mirror: t1.mirror,
      keyring: join(root, 'usr/share/keyrings/debian-archive-keyring.gpg'),
      outDir: apt,
      scratch: join(work, 'apt-download'),
    });
    buildAptRepo(apt, FIXTURE_DEBS);
    mkdirSync(join(data, 'debs'));
    copyFileSync(debUpgrade, join(data, 'debs', basename(debUpgrade)));
    const dataImg = join(work, 'data.img');
    const used = Number(execFileSync('du', ['-sb', data], { encoding: 'utf8' }).split('\t')[0]);
    execFileSync('truncate', ['-s', String(Math.ceil((used * 1.3 + 128 * 1024 * 1024) / 4096) * 4096), dataImg]);
    execFileSync('mkfs.ext4', ['-q', '-L', 'apt-ostree-data', '-d', data, dataImg]);
    rmSync(data, { recursive: true, force: true });
    rmSync(payload);
    const result: TestImage = { dir, disk: join(dir, diskName), data: join(dir, 'data.img'), deb, debUpgrade: join(dir, basename(debUpgrade)), v1, v2 };
    copyFileSync(debUpgrade, join(work, basename(debUpgrade)));
    writeFileSync(join(work, 'image.json'), `${JSON.stringify(result, null, 2)}\n`);
    renameSync(work, dir);
    log(`image: ${dir} (disk ${((statSync(result.disk).blocks * 512) / 1024 ** 2) | 0} MiB allocated)`);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** True when this machine can run the VM tests at all (QEMU and the tools are installed). */
export function vmToolsMissing(): string[] {
  return ['qemu-system-x86_64', 'debugfs', 'debootstrap', 'mkfs.ext4', 'dpkg-buildpackage'].filter(
    (t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status !== 0,
  );
}
