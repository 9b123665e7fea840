/**
 * Layering real packages from the Debian archive onto a real Debian tree (debootstrap, cached
 * between runs — src/demo/debootstrap-tree.ts), with the sources, keyrings and apt
 * configuration the tree itself ships, then running the layered programs inside the new
 * deployment (bubblewrap, the deployment as /). Needs deb.debian.org.
 */
import { insideDeployment } from './support/inside-deployment.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debootstrapTree } from '../src/demo/debootstrap-tree.js';
import { commitTree, createSysroot, deploy } from '../src/demo/sysroot-builder.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';

const REF = 'debian/bookworm/x86_64';

describe('real Debian packages on a debootstrap tree', () => {
  const suite = daemonSuite((dir) => {
    const tree = debootstrapTree();
    const { sysroot, repo } = createSysroot(join(dir, 'sysroot'), 'debian');
    const base = commitTree(repo, REF, tree, { subject: 'Debian 12 minbase', version: '12' });
    deploy(sysroot, 'debian', REF, { kernelArgs: ['root=UUID=1234', 'rw'] });
    return { sysroot, repo, base };
  });
  const cli = cliOn(() => suite.daemon.socket);
  const root = (id: string): string => deploymentRoot(suite.fixture.sysroot, id);
  /** Runs argv inside deployment `id` as / (read-only, no network), returns stdout. */
  const inside = (id: string, argv: string[]): string => insideDeployment(root(id), argv);
  const fsckClean = (): void => {
    execFileSync('ostree', ['fsck', `--repo=${suite.fixture.repo}`], { stdio: 'pipe' });
  };

  it('--dry-run resolves against the tree: real dependencies, versions from the archive, sizes; nothing changes', async () => {
    const before = await suite.deployments();
    const r = await cli('install', '--dry-run', '--json', 'hello', 'jq');
    assert.equal(r.code, 0, r.err + r.out);
    const last = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as {
      transaction: { result: { plan: { packages: { name: string; version: string; origin: string }[]; downloadSize: number; files: string[] } } };
    };
    const plan = last.transaction.result.plan;
    // The plan lists the layer's files, so the .debs were fetched: progress in bytes.
    const progress = r.out.split('\n').filter((l) => l.includes('.DownloadProgress"'));
    assert.ok(progress.length > 0, r.out);
    const final = (JSON.parse(progress.at(-1) ?? '{}') as { params: { bytesTransferred: number; objectsFetched: number } }).params;
    assert.equal(final.objectsFetched, 4);
    assert.equal(final.bytesTransferred, plan.downloadSize);
    const names = plan.packages.map((p) => p.name).sort();
    // jq pulls its libraries from the archive; the tree's libc6 satisfies the rest.
    assert.deepEqual(names, ['hello', 'jq', 'libjq1', 'libonig5']);
    assert.ok(
      plan.packages.every((p) => /^\d/.test(p.version) && /Debian/.test(p.origin)),
      JSON.stringify(plan.packages),
    );
    assert.ok(plan.downloadSize > 100_000, `download size ${plan.downloadSize}`);
    assert.ok(plan.files.includes('/usr/bin/hello'));
    assert.deepEqual(await suite.deployments(), before);
  });

  it('install hello jq: the programs run inside the new deployment, dpkg knows them, triggers ran, fsck is clean', async () => {
    const r = await cli('install', 'hello', 'jq');
    assert.equal(r.code, 0, r.err + r.out);
    const [d, rollback] = await suite.deployments();
    assert.equal(d.baseChecksum, suite.fixture.base);
    assert.equal(rollback.checksum, suite.fixture.base);
    assert.deepEqual(d.requestedPackages, ['hello', 'jq']);
    assert.deepEqual([...d.layeredPackages].sort(), ['hello', 'jq', 'libjq1', 'libonig5']);
    assert.equal(inside(d.id, ['hello']), 'Hello, world!\n');
    assert.equal(inside(d.id, ['jq', '-n', '-c', '[1,2,3] | {sum: add}']), '{"sum":6}\n');
    const query = inside(d.id, ['dpkg-query', '--admindir=/usr/share/dpkg/database', '-W', '-f', '${Package} ${db:Status-Abbrev}\n', 'hello', 'jq', 'libjq1']);
    assert.deepEqual(
      query
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .sort(),
      ['hello ii', 'jq ii', 'libjq1 ii'],
    );
    // libc-bin's ldconfig trigger ran: the new libraries are in the tree's linker cache.
    assert.match(inside(d.id, ['ldconfig', '-p']), /libjq\.so\.1 /);
    // The base is untouched: no hello there.
    assert.throws(() => inside(rollback.id, ['hello']));
    fsckClean();
  });

  it('uninstall jq rebuilds from the base with hello alone', async () => {
    const r = await cli('uninstall', 'jq');
    assert.equal(r.code, 0, r.err + r.out);
    const [d] = await suite.deployments();
    assert.deepEqual(d.requestedPackages, ['hello']);
    assert.deepEqual(d.layeredPackages, ['hello']);
    assert.equal(inside(d.id, ['hello', '--greeting=layered']), 'layered\n');
    assert.throws(() => inside(d.id, ['jq', '--version']));
    fsckClean();
  });
});
