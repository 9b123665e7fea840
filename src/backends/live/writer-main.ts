/**
 * The live writer: the process that changes the running system for apply-live. The worker
 * starts it in the host's mount namespace (through systemd-run when the daemon's service has a
 * namespace of its own, see host-namespace.ts) with a plan on stdin (live-plan.ts).
 *
 * Outside (host namespace): `ostree admin unlock --transient` when /usr is not an overlay yet,
 * then this same program again under `unshare --mount --propagation private` for the writes,
 * then systemd-tmpfiles, ldconfig and systemctl daemon-reload as the plan asks.
 * Inside (`--inner`, a private copy of the host's mounts): /usr remounted read-write there only
 * (the overlay stays read-only for every other process, as rpm-ostree's apply-live leaves it),
 * then removals, then copies (directories made here with their owner and mode, files and links
 * by `cp -a`, which keeps owners, modes, times and extended attributes such as file capabilities).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkLivePlan, type LivePlan } from './live-plan.js';

const BATCH = 200;

function run(argv: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'inherit', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 8192) err += d.toString('utf8');
    });
    child.on('error', (e) => reject(new Error(`${argv[0]}: ${e.message}`)));
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${argv.slice(0, 3).join(' ')} failed (${signal ?? `exit ${code}`}): ${err.trim()}`)),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function makeDir(from: string, to: string): void {
  const st = lstatSync(from);
  const existing = lexists(to) ? lstatSync(to) : null;
  if (existing !== null && !existing.isDirectory()) rmSync(to, { force: true });
  if (existing === null || !existing.isDirectory()) mkdirSync(to);
  lchownSync(to, st.uid, st.gid);
  chmodSync(to, st.mode & 0o7777);
}

async function writeInside(plan: LivePlan): Promise<void> {
  // The overlay's superblock is made read-write: mount(2) with MS_REMOUNT, as rpm-ostree does.
  // util-linux's new mount API (fsconfig) is refused by overlayfs ("No changes allowed in
  // reconfigure"), so libmount is told to use the classic call.
  if (plan.remountUsr) await run(['mount', '-o', 'remount,rw', '--', join(plan.root, 'usr')], { env: { ...process.env, LIBMOUNT_FORCE_MOUNT2: 'always' } });
  for (const rel of plan.remove) rmSync(join(plan.root, rel), { recursive: true, force: true });
  for (const copy of plan.copies) {
    const files: string[] = [];
    for (const rel of copy.paths) {
      const st = lstatSync(join(copy.from, rel));
      // noClobber: what exists stays (checked here: cp -n's exit status differs between coreutils versions).
      if (copy.noClobber && lexists(join(plan.root, rel))) continue;
      if (st.isDirectory()) makeDir(join(copy.from, rel), join(plan.root, rel));
      else files.push(rel);
    }
    for (let i = 0; i < files.length; i += BATCH) {
      await run(['cp', '-a', '--no-dereference', '--parents', '--remove-destination', '-t', plan.root, '--', ...files.slice(i, i + BATCH)], {
        cwd: copy.from,
      });
    }
  }
}

async function refreshOutside(plan: LivePlan): Promise<void> {
  const have = (tool: string): string | null => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((d) => join(d, tool)).find((p) => existsSync(p)) ?? null;
  const steps: [boolean, string, string[]][] = [
    [plan.refresh.tmpfiles, 'systemd-tmpfiles', ['--create', '--prefix=/var', '--prefix=/run']],
    [plan.refresh.ldconfig, 'ldconfig', []],
    [plan.refresh.daemonReload, 'systemctl', ['daemon-reload']],
  ];
  for (const [wanted, tool, args] of steps) {
    const path = wanted ? have(tool) : null;
    if (path === null) continue;
    try {
      await run([path, ...args]);
    } catch (e) {
      // The files are in place; a refresh that fails is said, not fatal (the reboot does it anyway).
      process.stderr.write(`warning: ${(e as Error).message}\n`);
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const text = await readStdin();
    const plan = checkLivePlan(JSON.parse(text));
    if (argv[0] === '--inner') {
      await writeInside(plan);
      return 0;
    }
    if (plan.unlock) await run(['ostree', 'admin', 'unlock', '--transient', `--sysroot=${plan.sysroot}`]);
    await run(['unshare', '--mount', '--propagation', 'private', '--', process.execPath, process.argv[1], '--inner'], { input: text });
    await refreshOutside(plan);
    return 0;
  } catch (e) {
    process.stderr.write(`apt-ostreed-live: ${(e as Error).message}\n`);
    return 1;
  }
}
