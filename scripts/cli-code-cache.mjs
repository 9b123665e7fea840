// Writes V8's code cache of the CLI bundle beside it (dist/apt-ostree.cjs.cache), which
// bin/apt-ostree compiles the bundle with: every command then starts without parsing and
// compiling the functions it runs (docs/performance.md has the figures). The cache is taken after
// `apt-ostree status` (text, --json, -v) has run against a stand-in daemon answering with
// scripts/cli-code-cache-replies.json, so it holds the functions that run, not only the top
// level. V8 checks only that a cache's source has the same length: the bundle's first line is
// made a stamp of its content (`// build sha256:…`), and the cache starts with the same line.
// Run by scripts/bundle.mjs in a process of its own without NODE_OPTIONS (V8 rejects a cache
// made under other flags): node scripts/cli-code-cache.mjs dist/apt-ostree.cjs
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const REPLIES = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'cli-code-cache-replies.json'), 'utf8'));

/** A stand-in daemon: answers each request with the reply of its method (NDJSON JSON-RPC). */
function standIn(socketPath) {
  const server = createServer((conn) => {
    let buffered = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk) => {
      buffered += chunk;
      for (let nl; (nl = buffered.indexOf('\n')) !== -1; buffered = buffered.slice(nl + 1)) {
        const { id, method } = JSON.parse(buffered.slice(0, nl));
        const reply = Object.hasOwn(REPLIES, method) ? { result: REPLIES[method] } : { error: { code: -32601, message: `no reply for ${method}` } };
        conn.write(JSON.stringify({ jsonrpc: '2.0', id, ...reply }) + '\n');
      }
    });
    conn.on('end', () => conn.end());
  });
  return new Promise((ok) => server.listen(socketPath, () => ok(server)));
}

const STAMP = '// build sha256:';
const file = resolve(process.argv[2]);
const built = readFileSync(file, 'utf8');
// Stamped again (a second run over the same bundle gives the same stamp).
const body = built.startsWith(STAMP) ? built.slice(built.indexOf('\n') + 1) : built;
const stamp = `${STAMP}${createHash('sha256').update(body).digest('hex')}\n`;
const source = stamp + body;
writeFileSync(file, source);
// The same wrapping as bin/apt-ostree's loader, so V8 sees the very same source.
const script = new Script(Module.wrap(source), { filename: file });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
const dir = mkdtempSync(join(tmpdir(), 'apt-ostree-code-cache-'));
const socket = join(dir, 'd.sock');
const server = await standIn(socket);
try {
  let errors = '';
  const io = { stdout: { write: () => true }, stderr: { write: (text) => (errors += text) }, env: {} };
  mod.exports.exitQuietlyOnBrokenPipe({ on() {} }, { on() {} }, () => {});
  for (const args of [['status'], ['status', '--json'], ['status', '-v']]) {
    const code = await mod.exports.main(['--socket', socket, ...args], io);
    if (code !== 0) throw new Error(`apt-ostree ${args.join(' ')} against the stand-in daemon exited ${code}: ${errors}`);
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(`${file}.cache`, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()]));
