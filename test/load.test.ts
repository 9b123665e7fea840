/**
 * Load: 64 clients reading Sysroot.GetDeployments in a loop while a package layering runs (apt,
 * dpkg in bubblewrap, commit, deploy in the worker): every read is answered without error and
 * the 99th percentile stays under 50 ms (printed).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { aptSourceLine, buildAptRepo } from '../src/demo/apt-repo.js';
import { buildRemoteSysroot, startStaticServer } from '../src/demo/remote-fixture.js';
import { daemonSuite } from './support/daemon-suite.js';
import { deploymentRoot } from './support/capture-io.js';
import { ostreeAdminStatus } from './support/ostree-admin-status.js';

describe('load', () => {
  const suite = daemonSuite(
    async (dir) => {
      const remote = await buildRemoteSysroot(join(dir, 'remote'), { shell: true });
      const aptDir = join(dir, 'apt');
      mkdirSync(aptDir);
      buildAptRepo(aptDir);
      const apt = await startStaticServer(aptDir);
      const d = ostreeAdminStatus(remote.sysroot)[0];
      writeFileSync(join(deploymentRoot(remote.sysroot, `debian-${d.checksum}.${d.serial}`), 'etc/apt/sources.list.d/test.list'), aptSourceLine(apt.url));
      return { ...remote, apt };
    },
    async (f) => {
      await f.apt.stop();
      await f.stop();
    },
  );

  it('64 concurrent readers during a layering: all answered, no error, p99 < 50 ms', async (t) => {
    const readers = await Promise.all(Array.from({ length: 64 }, () => JsonRpcClient.connect(suite.daemon.socket)));
    const latencies: number[] = [];
    let errors = 0;
    let layeringDone = false;
    const layering = suite.client.call<{ changed: boolean }>('OS.PkgChange', { add: ['fooapp', 'marker'] }).finally(() => (layeringDone = true));
    const loops = readers.map(async (c) => {
      while (!layeringDone) {
        const t0 = process.hrtime.bigint();
        try {
          const r = await c.call<{ deployments: unknown[] }>('Sysroot.GetDeployments');
          if (!Array.isArray(r.deployments)) errors++;
        } catch {
          errors++;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    });
    const result = await layering;
    await Promise.all(loops);
    for (const c of readers) c.close();
    assert.equal(result.changed, true);
    assert.equal(errors, 0);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const line = `${latencies.length} reads during the layering: p50 ${p(0.5).toFixed(2)} ms, p99 ${p(0.99).toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(2)} ms`;
    t.diagnostic(line);
    process.stdout.write(`# ${line}\n`);
    assert.ok(latencies.length > 1000, line);
    assert.ok(p(0.99) < 50, line);
  });
});
