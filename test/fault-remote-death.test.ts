/**
 * Fault injection: the remote dies in the middle of a pull. The server of the fixture is
 * stopped while OS.Upgrade fetches an update of thousands of files; the upgrade fails with a
 * clear error and deploys nothing. The server comes back at the same URL and the retry
 * succeeds, fetching only what the first attempt had not. What reuse means here: libostree
 * writes fetched objects into a staging dir (`tmp/staging-<boot id>-*`) that the next pull of
 * the same boot resumes, and marks the commit partial (`state/<checksum>.commitpartial`); the
 * recovery after the failed transaction moves them into objects/ (its repo transaction) and,
 * since cleanup keeps the objects of partial commits, does not prune them. The commit object
 * itself is fetched again (a pull asks for a partial commit anew); no file or tree object is.
 * Only a pull that may still be resumed is kept: once a later pull completes, a partial commit
 * marked before it is pruned like anything else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit } from '../src/demo/remote-fixture.js';
import { eventClient } from './support/event-client.js';
import { until } from './support/processes.js';
import { manyFiles, remoteDaemonSuite } from './support/remote-url-server.js';
import { assertFsckClean } from './support/sysroot-state.js';

/** Files in the update: enough that a pull from a slowed-down server lasts seconds. */
const UPDATE_FILES = 3000;

/**
 * Checksums of the content and tree objects a server was asked for, from its request paths
 * (`/objects/ab/cdef….filez`, `.dirtree`, `.dirmeta`). The commit object is left out: a pull
 * fetches the commit again when it holds it only partly.
 */
function objectChecksums(requests: string[]): Set<string> {
  const out = new Set<string>();
  for (const r of requests) {
    const m = /^\/objects\/([0-9a-f]{2})\/([0-9a-f]{62})\.(filez|dirtree|dirmeta)$/.exec(r);
    if (m !== null) out.add(m[1] + m[2]);
  }
  return out;
}

/**
 * Whether the client repo holds the object `checksum` (any type): in objects/ or in one of the
 * staging dirs (`tmp/staging-*`) where an interrupted pull left what it had written.
 */
function stored(repo: string, checksum: string): boolean {
  const rel = join(checksum.slice(0, 2), checksum.slice(2));
  const dirs = [
    join(repo, 'objects'),
    ...readdirSync(join(repo, 'tmp'))
      .filter((d) => d.startsWith('staging-'))
      .map((d) => join(repo, 'tmp', d)),
  ];
  return dirs.some((d) => ['file', 'dirtree', 'dirmeta'].some((ext) => existsSync(`${join(d, rel)}.${ext}`)));
}

describe('fault: the remote dies mid-pull', () => {
  const { suite, url } = remoteDaemonSuite();

  it('a clear error and nothing deployed; at the same URL again, the retry fetches only what was missing', async () => {
    const f = suite.fixture;
    const update = addServerCommit(f, { version: '12.3', files: manyFiles(UPDATE_FILES, 'fault-update') });
    const before = await suite.deployments();

    // The same repository at the same URL, each answer slowed down so the pull lasts seconds.
    const dying = await url().start(20);
    const { client, events } = await eventClient(suite.daemon.socket);
    try {
      const upgrade = client.call('OS.Upgrade', {});
      const failed = assert.rejects(upgrade, (e: RemoteError) => {
        assert.equal(e.errorName, 'Failed');
        // What was pulled, the URL that failed and libcurl's words, e.g. `[7] Couldn't connect
        // to server` (or `[56] Failure when receiving data from the peer` for a cut answer).
        assert.ok(e.message.startsWith(`Pulling ${f.refspec}: While fetching ${dying.url}/objects/`), e.message);
        assert.match(e.message, /: \[\d+\] \S.*$/, e.message);
        return true;
      });
      // Mid-pull: hundreds of objects served, thousands to go.
      await until(() => objectChecksums(dying.requests).size > 500, 60_000, 'the pull to be under way');
      await url().stop();
      await failed;
      assert.ok(
        events.some((e) => e.method === 'Transaction.DownloadProgress'),
        'progress was reported before the failure',
      );
    } finally {
      client.close();
    }
    assert.deepEqual(await suite.deployments(), before, 'nothing deployed, the deployments unchanged');
    const firstAttempt = objectChecksums(dying.requests);
    const kept = [...firstAttempt].filter((c) => stored(f.repo, c));
    assert.ok(kept.length > 400, `objects fetched before the failure are kept (${kept.length} of ${firstAttempt.size})`);

    // Back at the same URL: the retry succeeds.
    const back = await url().start();
    const result = await suite.client.call<{ changed: boolean }>('OS.Upgrade', {});
    assert.equal(result.changed, true);
    const after = await suite.deployments();
    assert.equal(after[0].checksum, update);
    assertFsckClean(f.sysroot);

    // Reuse: nothing kept is asked for again, and the retry fetched fewer objects than the update has.
    const retry = objectChecksums(back.requests);
    const again = kept.filter((c) => retry.has(c));
    assert.deepEqual(again, [], 'no object fetched before the failure was requested again');
    assert.ok(retry.size < UPDATE_FILES, `the retry fetched ${retry.size} objects, fewer than the update's ${UPDATE_FILES} files`);
    assert.ok(retry.size + kept.length >= UPDATE_FILES, 'together the two attempts fetched the whole update');
  });

  it('a partial pull the remote moved on from is not kept: once a later pull completes, cleanup prunes it', async () => {
    const f = suite.fixture;
    const stale = addServerCommit(f, { version: '12.4', files: manyFiles(UPDATE_FILES, 'stale-update') });
    const dying = await url().start(20);
    const upgrade = suite.client.call('OS.Upgrade', {});
    const failed = assert.rejects(upgrade);
    await until(() => objectChecksums(dying.requests).size > 200, 60_000, 'the pull to be under way');
    await url().stop();
    await failed;
    const marker = join(f.repo, 'state', `${stale}.commitpartial`);
    assert.ok(existsSync(marker), 'the interrupted pull is resumable');

    // The remote moves on before anyone retries; the next upgrade pulls the newer commit whole.
    const newer = addServerCommit(f, { version: '12.5' });
    await url().start();
    const result = await suite.client.call<{ changed: boolean }>('OS.Upgrade', {});
    assert.equal(result.changed, true);
    assert.equal((await suite.deployments())[0].checksum, newer);
    assert.ok(!existsSync(marker), 'the stale partial commit was pruned');
    assert.throws(() => execFileSync('ostree', ['show', `--repo=${f.repo}`, stale], { stdio: 'pipe' }), 'its commit object is gone');
    // Nothing the stale pull fetched is left unreachable (what it shares with kept commits stays).
    const dryRun = execFileSync('ostree', ['prune', `--repo=${f.repo}`, '--refs-only', '--no-prune'], { encoding: 'utf8' });
    assert.match(dryRun, /No unreachable objects/, dryRun);
    assertFsckClean(f.sysroot);
  });
});
