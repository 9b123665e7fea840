/**
 * What keeps `apt-ostree`'s start short (docs/performance.md): each verb's module is loaded only
 * when that verb runs, and bin/apt-ostree compiles the bundle with the code cache the build
 * wrote beside it, falling back to a plain require when the cache is not the bundle's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../src/cli/commands/index.js';
import { VERB_LOADERS } from '../src/cli/commands/verbs.js';
import { CLI_BIN, REPO_ROOT } from './support/repo-root.js';

const BUNDLE = join(REPO_ROOT, 'dist', 'apt-ostree.cjs');

describe('CLI start-up', () => {
  it('has a loader for every verb, in the usage order, loading the same command', async () => {
    assert.deepEqual(Object.keys(VERB_LOADERS), Object.keys(COMMANDS));
    for (const [verb, load] of Object.entries(VERB_LOADERS)) assert.equal(await load(), COMMANDS[verb], verb);
  });

  it("the build's code cache is stamped with its bundle and accepted by this node", () => {
    const source = readFileSync(BUNDLE, 'utf8');
    const cache = readFileSync(`${BUNDLE}.cache`);
    const stamp = source.slice(0, source.indexOf('\n') + 1);
    assert.match(stamp, /^\/\/ build sha256:[0-9a-f]{64}\n$/);
    assert.equal(cache.toString('latin1', 0, stamp.length), stamp);
    // In a plain node process, as bin/apt-ostree runs (V8 rejects a cache under other flags).
    const check = `const { readFileSync } = require('node:fs'); const { Script } = require('node:vm');
      const source = readFileSync(process.argv[1], 'utf8'); const cache = readFileSync(process.argv[1] + '.cache');
      const stamp = source.slice(0, source.indexOf('\\n') + 1);
      const script = new Script(require('node:module').wrap(source), { filename: process.argv[1], cachedData: cache.subarray(stamp.length) });
      process.stdout.write(String(script.cachedDataRejected));`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const run = spawnSync(process.execPath, ['-e', check, BUNDLE], { encoding: 'utf8', env });
    assert.equal(run.stdout, 'false', run.stderr);
  });

  it('runs without a cache, and with the cache of another bundle, as a plain require', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-ostree-cache-'));
    try {
      mkdirSync(join(dir, 'bin'));
      mkdirSync(join(dir, 'dist'));
      copyFileSync(CLI_BIN, join(dir, 'bin', 'apt-ostree'));
      copyFileSync(BUNDLE, join(dir, 'dist', 'apt-ostree.cjs'));
      const version = () => spawnSync(process.execPath, [join(dir, 'bin', 'apt-ostree'), '--version'], { encoding: 'utf8' });
      assert.match(version().stdout, /^apt-ostree:\n Version: '/);
      // Another bundle's stamp, and garbage for V8: never used.
      writeFileSync(join(dir, 'dist', 'apt-ostree.cjs.cache'), `// build sha256:${'0'.repeat(64)}\nnot a code cache`);
      const run = version();
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^apt-ostree:\n Version: '/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the stand-in daemon's replies (scripts/cli-code-cache-replies.json) have every field the API declares for a deployment", () => {
    const required = (JSON.parse(readFileSync(join(REPO_ROOT, 'schema/types/Deployment.json'), 'utf8')) as { required: string[] }).required;
    const replies = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts/cli-code-cache-replies.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const deployments = [
      ...(replies['Sysroot.GetProperties'].deployments as Record<string, unknown>[]),
      ...Object.values(replies['OS.GetProperties']).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && 'checksum' in v),
    ];
    assert.ok(deployments.length > 0);
    for (const d of deployments) for (const field of required) assert.ok(field in d, `${String(d.id)}: ${field} (the build's code cache runs status on these)`);
  });
});
