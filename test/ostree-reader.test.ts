/**
 * The libostree read model against `ostree admin status` on synthetic sysroots.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OstreeSysrootReader, SysrootLoadError, type SysrootSnapshot } from '../src/backends/ostree/sysroot-reader.js';
import { splitKernelCmdline } from '../src/backends/ostree/kernel-cmdline.js';
import { parseOrigin } from '../src/backends/ostree/origin-file.js';
import {
  buildStandardSysroot,
  buildTree,
  commitTree,
  createSysroot,
  deploy,
  osInit,
  pin,
  undeploy,
  type StandardSysroot,
} from '../src/demo/sysroot-builder.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

describe('OstreeSysrootReader on the standard sysroot', () => {
  const dir = tempSysrootDir();
  let std: StandardSysroot;
  let reader: OstreeSysrootReader;
  let snap: SysrootSnapshot;

  before(() => {
    std = buildStandardSysroot(join(dir, 'sysroot'));
    reader = new OstreeSysrootReader(std.sysroot);
    snap = reader.read();
  });
  after(() => reader?.close());

  it('lists the same deployments as ostree admin status, in order', () => {
    const status = ostreeAdminStatus(std.sysroot);
    assert.equal(status.length, 3);
    assert.equal(snap.deployments.length, status.length);
    snap.deployments.forEach((d, i) => {
      const s = status[i];
      assert.equal(d.index, i);
      assert.equal(d.osname, s.osname);
      assert.equal(d.checksum, s.checksum);
      assert.equal(d.serial, s.serial);
      assert.equal(d.pinned, s.pinned);
      assert.equal(d.booted, s.booted);
      assert.equal(d.staged, s.staged);
      assert.equal(d.version, s.version);
      assert.equal(d.unlocked, s.unlocked);
      // status prints only [origin] refspec; a layered origin has baserefspec instead.
      if (s.origin !== null) assert.equal(d.origin, s.origin);
      assert.equal(d.id, `${s.osname}-${s.checksum}.${s.serial}`);
    });
    assert.deepEqual(
      snap.deployments.map((d) => d.checksum),
      [std.commits.layered, std.commits.v2, std.commits.v1],
    );
    assert.deepEqual(
      snap.deployments.map((d) => d.pinned),
      [false, false, true],
      'the pinned deployment is v1',
    );
  });

  it('reports sysroot-level fields', () => {
    assert.equal(snap.path, std.sysroot);
    assert.equal(snap.booted, null);
    assert.deepEqual(snap.stateroots, ['debian']);
    assert.equal(snap.generation, 1);
    for (const d of snap.deployments) {
      assert.equal(d.booted, false);
      assert.equal(d.staged, false);
      assert.equal(d.unlocked, 'none');
    }
  });

  it('reads commit metadata: version and timestamp', () => {
    const [layered, v2, v1] = snap.deployments;
    assert.equal(v1.version, '12.1');
    assert.equal(v2.version, '12.2');
    assert.equal(layered.version, '12.2');
    assert.equal(v1.timestamp, std.timestamps.v1);
    assert.equal(v2.timestamp, std.timestamps.v2);
    assert.equal(layered.timestamp, std.timestamps.layered);
  });

  it('reads the layered deployment: origin, packages, base commit', () => {
    const [layered, v2, v1] = snap.deployments;
    assert.equal(layered.origin, 'debian/bookworm/x86_64');
    assert.deepEqual(layered.requestedPackages, ['hello', 'jq']);
    assert.deepEqual(layered.layeredPackages, ['hello', 'jq']);
    assert.equal(layered.baseChecksum, std.commits.v2);
    for (const d of [v1, v2]) {
      assert.equal(d.origin, 'debian/bookworm/x86_64');
      assert.deepEqual(d.requestedPackages, []);
      assert.deepEqual(d.layeredPackages, []);
      assert.equal(d.baseChecksum, null);
      assert.equal(d.regenerateInitramfs, false);
      assert.deepEqual(d.initramfsArgs, []);
    }
  });

  it('reads kernel arguments from the boot entries', () => {
    for (const d of snap.deployments) {
      assert.ok(d.kernelArgs.includes('quiet'), d.kernelArgs.join(' '));
      assert.ok(d.kernelArgs.includes('root=UUID=1234'));
      assert.ok(d.kernelArgs.includes('rw'));
    }
  });

  it('returns the same snapshot object while nothing changes', () => {
    assert.equal(reader.read(), snap);
    assert.equal(reader.read(), snap);
  });

  it('reload() from scratch keeps the snapshot when nothing changed', () => {
    const again = reader.reload();
    assert.equal(again, snap);
    assert.equal(again.generation, snap.generation);
  });

  it('keeps RSS flat over 50k unchanged reads, each well under 0.1 ms', (t) => {
    for (let i = 0; i < 2000; i++) reader.read();
    const rss0 = process.memoryUsage().rss;
    const n = 50_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) reader.read();
    const perCallUs = Number(process.hrtime.bigint() - t0) / n / 1000;
    const growthMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    t.diagnostic(`read() unchanged: ${perCallUs.toFixed(2)} µs/call; RSS growth over ${n}: ${growthMb.toFixed(1)} MB`);
    assert.ok(growthMb < 20, `RSS grew ${growthMb.toFixed(1)} MB`);
    assert.ok(perCallUs < 100, `${perCallUs} µs per read()`);
  });

  it('measures a full reload (diagnostic)', (t) => {
    const n = 200;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) reader.reload();
    const perCallUs = Number(process.hrtime.bigint() - t0) / n / 1000;
    t.diagnostic(`reload() (new sysroot object + load + rebuild, commits cached): ${perCallUs.toFixed(0)} µs/call`);
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 2000; i++) reader.reload();
    const growthMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    t.diagnostic(`RSS growth over 2000 reloads: ${growthMb.toFixed(1)} MB`);
    assert.ok(growthMb < 20, `RSS grew ${growthMb.toFixed(1)} MB over 2000 reloads`);
  });
});

describe('OstreeSysrootReader sees changes made behind its back', () => {
  const dir = tempSysrootDir();
  let sysroot: string;
  let repo: string;
  let reader: OstreeSysrootReader;
  const ref = 'debian/test/x86_64';

  before(() => {
    ({ sysroot, repo } = createSysroot(join(dir, 'sysroot'), 'debian'));
    const tree = join(dir, 'tree');
    buildTree(tree, { kernelVersion: '6.1.0-1-amd64', osRelease: { ID: 'debian', VERSION_ID: '12' } });
    commitTree(repo, ref, tree, { version: '1' });
    deploy(sysroot, 'debian', ref, { kernelArgs: ['quiet', 'foo="a b"'] });
    reader = new OstreeSysrootReader(sysroot);
  });
  after(() => reader?.close());

  it('sees a deployment made by hand on the next read()', () => {
    const first = reader.read();
    assert.equal(first.deployments.length, 1);
    assert.deepEqual(
      first.deployments[0].kernelArgs.filter((a) => !a.startsWith('ostree=')),
      ['quiet', 'foo="a b"'],
    );
    const tree2 = join(dir, 'tree2');
    buildTree(tree2, {
      kernelVersion: '6.1.0-1-amd64',
      osRelease: { ID: 'debian', VERSION_ID: '12' },
      files: { 'usr/share/marker': '2\n' },
    });
    const c2 = commitTree(repo, ref, tree2, { version: '2' });
    deploy(sysroot, 'debian', ref);
    const second = reader.read();
    assert.notEqual(second, first);
    assert.ok(second.generation > first.generation);
    assert.equal(second.deployments.length, 2);
    assert.equal(second.deployments[0].checksum, c2);
    assert.equal(second.deployments[0].version, '2');
    assert.deepEqual(
      second.deployments.map((d) => d.checksum),
      ostreeAdminStatus(sysroot).map((s) => s.checksum),
    );
    assert.equal(reader.read(), second);
  });

  it('sees pin and undeploy', () => {
    const before = reader.read();
    pin(sysroot, 1);
    const pinned = reader.read();
    assert.ok(pinned.generation > before.generation);
    assert.deepEqual(
      pinned.deployments.map((d) => d.pinned),
      [false, true],
    );
    undeploy(sysroot, 0);
    const after = reader.read();
    assert.equal(after.deployments.length, 1);
    assert.equal(after.deployments[0].pinned, true);
    assert.equal(after.deployments[0].index, 0);
  });

  it('sees a new stateroot from os-init', () => {
    const before = reader.read();
    osInit(sysroot, 'other');
    const after = reader.read();
    assert.deepEqual(after.stateroots, ['debian', 'other']);
    assert.ok(after.generation > before.generation);
  });
});

describe('OstreeSysrootReader errors', () => {
  const dir = tempSysrootDir();

  it('does not touch the disk when constructed', () => {
    assert.doesNotThrow(() => new OstreeSysrootReader(join(dir, 'does-not-exist')));
  });

  it('throws SysrootLoadError for a missing directory', () => {
    const r = new OstreeSysrootReader(join(dir, 'missing'));
    assert.throws(
      () => r.read(),
      (e: unknown) =>
        e instanceof SysrootLoadError &&
        /No such file or directory/.test(e.message) &&
        e.message.includes(join(dir, 'missing')) &&
        e.sysroot === join(dir, 'missing'),
    );
    r.close();
  });

  it('throws SysrootLoadError for an empty directory, then loads it once it becomes a sysroot', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const r = new OstreeSysrootReader(empty);
    assert.throws(
      () => r.read(),
      (e: unknown) => e instanceof SysrootLoadError && /ostree\/repo/.test(e.message) && e.sysroot === empty,
    );
    createSysroot(empty, 'debian');
    const snap = r.read();
    assert.deepEqual(snap.deployments, []);
    assert.deepEqual(snap.stateroots, ['debian']);
    r.close();
  });

  it('throws SysrootLoadError for a directory without ostree/repo', () => {
    const noRepo = join(dir, 'norepo');
    mkdirSync(join(noRepo, 'ostree', 'deploy'), { recursive: true });
    const r = new OstreeSysrootReader(noRepo);
    assert.throws(
      () => r.read(),
      (e: unknown) => e instanceof SysrootLoadError && /ostree\/repo/.test(e.message),
    );
    r.close();
  });

  it('throws SysrootLoadError for a regular file', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const r = new OstreeSysrootReader(file);
    assert.throws(
      () => r.read(),
      (e: unknown) => e instanceof SysrootLoadError && /Not a directory/.test(e.message),
    );
    r.close();
  });
});

describe('splitKernelCmdline', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['   ', []],
    ['root=UUID=1234 rw quiet', ['root=UUID=1234', 'rw', 'quiet']],
    ['  a   b\tc\n', ['a', 'b', 'c']],
    ['foo="a b" bar', ['foo="a b"', 'bar']],
    ['"quoted whole" x', ['"quoted whole"', 'x']],
    ['a="x y"z b', ['a="x y"z', 'b']],
    ['dyndbg="file foo.c +p" console=ttyS0,115200', ['dyndbg="file foo.c +p"', 'console=ttyS0,115200']],
    ['open="never closed arg', ['open="never closed arg']],
    ['empty="" x', ['empty=""', 'x']],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(splitKernelCmdline(input), expected));
  }
});

describe('parseOrigin', () => {
  it('reads a plain origin', () => {
    const o = parseOrigin('[origin]\nrefspec=debian:debian/bookworm/x86_64\n');
    assert.equal(o.followedRefspec, 'debian:debian/bookworm/x86_64');
    assert.equal(o.baseRefspec, null);
    assert.deepEqual(o.requestedPackages, []);
    assert.equal(o.regenerateInitramfs, false);
  });

  it('reads a layered origin with initramfs state and pinning', () => {
    const o = parseOrigin(
      [
        '# comment',
        '[origin]',
        'baserefspec=debian/bookworm/x86_64',
        '',
        '[packages]',
        'requested=hello;jq;;',
        '',
        '[apt-ostree]',
        'regenerate-initramfs=true',
        'initramfs-args=--add;dracut\\;x;',
        '',
        '[libostree-transient]',
        'pinned=true',
        '',
      ].join('\n'),
    );
    assert.equal(o.refspec, null);
    assert.equal(o.followedRefspec, 'debian/bookworm/x86_64');
    assert.deepEqual(o.requestedPackages, ['hello', 'jq']);
    assert.equal(o.regenerateInitramfs, true);
    assert.deepEqual(o.initramfsArgs, ['--add', 'dracut;x']);
    assert.equal(o.keyFile.getBoolean('libostree-transient', 'pinned'), true);
  });

  it('decodes GLib escapes', () => {
    const o = parseOrigin('[origin]\nrefspec = a\\sb\\\\c\n');
    assert.equal(o.refspec, 'a b\\c');
  });
});
