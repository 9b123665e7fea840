/**
 * `node dist/src/demo/demo-serve.js DIR`: serves the demo's OSTree repository (DIR/server/repo)
 * over HTTP on 127.0.0.1 while the demo runs — at the port of the previous run when it is free,
 * else at a free one — and points the demo sysroot's remote `origin` at it. Writes the URL to
 * DIR/remote-url once it serves; stops on SIGTERM or SIGINT, or when its parent (demo-run.sh) is
 * gone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startStaticServer, type StaticServer } from './remote-fixture.js';

/** Each answer waits this long, so that the download of an upgrade shows its progress for a moment. */
const DELAY_MS = 25;

async function serve(dir: string): Promise<StaticServer> {
  const root = join(dir, 'server/repo');
  const portFile = join(dir, 'port');
  const previous = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0;
  let server: StaticServer;
  try {
    server = await startStaticServer(root, { port: previous, delayMs: DELAY_MS });
  } catch {
    // Taken by something else since: any free port (the remote's URL follows).
    server = await startStaticServer(root, { delayMs: DELAY_MS });
  }
  writeFileSync(portFile, `${server.port}\n`);
  const repo = join(dir, 'sysroot/ostree/repo');
  execFileSync('ostree', ['config', `--repo=${repo}`, 'set', 'remote "origin".url', server.url], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ready = join(dir, 'remote-url');
  writeFileSync(ready + '.tmp', server.url + '\n');
  renameSync(ready + '.tmp', ready);
  return server;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('demo-serve.js')) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: demo-serve.js DIR\n');
    process.exit(2);
  }
  const abs = resolve(dir);
  const server = await serve(abs);
  const parent = process.ppid;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    rmSync(join(abs, 'remote-url'), { force: true });
    void server.stop().then(() => process.exit(0));
  };
  // Orphaned (demo-run.sh killed outright): nobody would stop it otherwise.
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
