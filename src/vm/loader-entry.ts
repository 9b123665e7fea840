/**
 * What a bootloader would do, done by the VM driver on the host: read the boot loader entries
 * (BLS, /boot/loader/entries) from a raw disk image without mounting it (debugfs; it follows
 * the loader -> loader.N link), pick the newest, and copy its kernel and initramfs out.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface LoaderEntry {
  file: string;
  title: string;
  version: number;
  /** Paths in the image's filesystem. */
  linux: string;
  initrd: string;
  options: string;
}

function debugfs(image: string, request: string): string {
  const r = spawnSync('debugfs', ['-R', request, '--', image], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`debugfs ${request}: ${r.stderr}`);
  return r.stdout;
}

/** A BLS path as it is on the root filesystem (entries name /boot paths relative to /boot when it is its own filesystem). */
function onRoot(path: string): string {
  return path.startsWith('/boot/') ? path : `/boot${path}`;
}

function parseEntry(file: string, text: string): LoaderEntry {
  const get = (key: string): string => {
    const m = new RegExp(`^${key}\\s+(.*)$`, 'm').exec(text);
    if (!m) throw new Error(`loader entry ${file} has no ${key}`);
    return m[1].trim();
  };
  return { file, title: get('title'), version: Number(get('version')), linux: onRoot(get('linux')), initrd: onRoot(get('initrd')), options: get('options') };
}

/** Every entry of the image, newest (highest version: the default deployment) first. */
function loaderEntries(image: string): LoaderEntry[] {
  // `ls -p` lines: /INODE/MODE/UID/GID/NAME/SIZE/
  const names = debugfs(image, 'ls -p /boot/loader/entries')
    .split('\n')
    .map((l) => l.split('/')[5])
    .filter((n): n is string => n !== undefined && n.endsWith('.conf'));
  return names.map((n) => parseEntry(n, debugfs(image, `cat /boot/loader/entries/${n}`))).sort((a, b) => b.version - a.version);
}

/**
 * Replays the filesystem's journal when it needs it (after a power cut the latest changes to
 * /boot may be only in the journal, which debugfs does not read), as the kernel would at mount;
 * nothing else is checked or repaired.
 */
function replayJournal(image: string): void {
  const r = spawnSync('e2fsck', ['-E', 'journal_only', '-y', '--', image], { encoding: 'utf8' });
  if (r.error) throw r.error;
  // 0: clean, 1: the journal was replayed; anything else is a real problem.
  if (r.status !== 0 && r.status !== 1) throw new Error(`e2fsck -E journal_only ${image} exited ${r.status}: ${r.stdout}${r.stderr}`);
}

/** Copies the newest entry's kernel and initramfs into `dir`; returns the entry and their paths. */
export function extractNewestBoot(image: string, dir: string): { entry: LoaderEntry; kernel: string; initrd: string } {
  replayJournal(image);
  const entry = loaderEntries(image)[0];
  if (entry === undefined) throw new Error(`${image} has no boot loader entry`);
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initramfs.img');
  debugfs(image, `dump ${entry.linux} ${kernel}`);
  debugfs(image, `dump ${entry.initrd} ${initrd}`);
  return { entry, kernel, initrd };
}
