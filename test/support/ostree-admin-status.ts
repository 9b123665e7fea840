/**
 * Test helpers: the `ostree admin status` CLI as an independent oracle for the
 * libostree reader, and temporary directories that are removed even when they hold
 * immutable deployment roots.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { removeSysroot } from '../../src/demo/sysroot-builder.js';

/** One deployment as `ostree admin status` (2022.7) prints it. */
export interface AdminStatusEntry {
  osname: string;
  checksum: string;
  serial: number;
  booted: boolean;
  pinned: boolean;
  staged: boolean;
  pending: boolean;
  rollback: boolean;
  /** `origin refspec: X`; null for `origin: none` and `origin: <unknown origin type>` (e.g. layered). */
  origin: string | null;
  version: string | null;
  /** `Unlocked: X` when not `none`. */
  unlocked: string;
}

// "* debian 0123abcd....0 (staged)": booted mark, osname, checksum.serial, status.
const HEADER = /^([* ]) (\S+) ([0-9a-f]{64})\.(\d+)(?: \((staged|pending|rollback)\))?$/;

/** Parses the text of `ostree admin status`. */
export function parseAdminStatus(text: string): AdminStatusEntry[] {
  const entries: AdminStatusEntry[] = [];
  let cur: AdminStatusEntry | undefined;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      const status = h[5];
      cur = {
        osname: h[2],
        checksum: h[3],
        serial: Number(h[4]),
        booted: h[1] === '*',
        pinned: false,
        staged: status === 'staged',
        pending: status === 'pending',
        rollback: status === 'rollback',
        origin: null,
        version: null,
        unlocked: 'none',
      };
      entries.push(cur);
      continue;
    }
    if (cur === undefined) continue;
    // Strip ANSI colour codes (the Unlocked line is coloured on a TTY).
    const body = line.replace(/\x1b\[[0-9;]*m/g, '').trim(); // eslint-disable-line no-control-regex
    if (body.startsWith('Version: ')) cur.version = body.slice('Version: '.length);
    else if (body === 'Pinned: yes') cur.pinned = true;
    else if (body.startsWith('Unlocked: ')) cur.unlocked = body.slice('Unlocked: '.length);
    else if (body.startsWith('origin refspec: ')) cur.origin = body.slice('origin refspec: '.length);
  }
  return entries;
}

/** Runs `ostree admin status --sysroot=SYSROOT` and parses it. */
export function ostreeAdminStatus(sysroot: string): AdminStatusEntry[] {
  const out = execFileSync('ostree', ['admin', 'status', `--sysroot=${sysroot}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAdminStatus(out);
}

/**
 * A new directory under os.tmpdir(), removed with removeSysroot (chattr -i first) in an
 * `after()` hook of the calling suite, which node:test runs even when tests fail.
 * Call it at suite level or inside a `before()` hook.
 */
export function tempSysrootDir(prefix = 'apt-ostreed-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  after(() => removeSysroot(dir));
  return dir;
}
