/** The README's demo command, run the way `npm run demo` runs it (minus the setup step). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { removeSysroot } from '../src/demo/sysroot-builder.js';
import { REPO_ROOT } from './support/repo-root.js';

describe('the demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-demo-'));
  after(() => removeSysroot(dir));

  it('builds the demo sysroot, starts the daemon, shows status and socat + jq queries, then stops', () => {
    const run = () =>
      spawnSync('bash', [join(REPO_ROOT, 'scripts', 'demo-run.sh')], {
        env: { ...process.env, DEMO_DIR: dir, DEMO_NO_WAIT: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /State: idle\nAutomaticUpdates: none\nDeployments:\n/);
    assert.match(first.stdout, /LayeredPackages: hello jq/);
    assert.match(first.stdout, /"pinned":true/);
    assert.match(first.stdout, /"rollback": "debian-[0-9a-f]{64}\.0"/);
    assert.match(first.stdout, /"code":-32602/);
    assert.ok(existsSync(join(dir, '.complete')));
    assert.equal(existsSync(join(dir, 'apt-ostreed.sock')), false, 'the daemon stopped and removed its socket');
    // A second run reuses the demo sysroot.
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /State: idle/);
  });
});
