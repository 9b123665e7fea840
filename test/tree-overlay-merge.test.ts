/**
 * The tree sandbox runs on an overlay of the tree and merges the changes back
 * (src/backends/fs/tree-overlay.ts, overlay-merge.ts): each kind of change dpkg or a script
 * makes (overlay-ops.c) reaches the tree — new, renamed, removed files and directories,
 * directories replaced by files and the reverse, a link to a directory replaced by a directory,
 * modes, owners, set-id bits, symlinks, hardlinks — while a file shared with "the repository"
 * (an inode outside the tree, as `ostree checkout -H` makes them) keeps its content, and nothing
 * of overlayfs (whiteouts, trusted.overlay.* attributes, its directories) is left.
 */
import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runInTreeSandbox } from '../src/backends/fs/tree-sandbox.js';
import { listXattrs } from '../src/backends/fs/xattrs.js';
import { compileStatic } from './support/hostile-deb.js';

/** Every path below `dir` (links not followed), relative. */
function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('tree sandbox on an overlay of the tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aoatk-ovl-merge-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tree = join(dir, 'tree');
  const object = join(dir, 'objects', 'shared');

  it('every change reaches the tree by rename, the shared inode keeps its content', async () => {
    mkdirSync(join(dir, 'objects'));
    writeFileSync(object, 'original\n');
    for (const d of ['dev', 'proc', 'tmp', 'run', 'keep', 'gone', 'again', 'dir-to-file', 'moddir']) mkdirSync(join(tree, d), { recursive: true, mode: 0o755 });
    linkSync(object, join(tree, 'shared'));
    for (const [f, text] of [
      ['keep/a', 'a\n'],
      ['keep/b', 'b\n'],
      ['gone/file', 'x\n'],
      ['again/old', 'old\n'],
      ['dir-to-file/x', 'x\n'],
      ['file-to-dir', 'file\n'],
    ])
      writeFileSync(join(tree, f), text);
    symlinkSync('keep', join(tree, 'link-to-dir'));
    writeFileSync(join(tree, 'ops'), compileStatic('overlay-ops'), { mode: 0o755 });

    const r = await runInTreeSandbox({ tree, argv: ['/ops'], env: {} });
    assert.equal(r.code, 0, r.lines.join('\n'));

    assert.equal(readFileSync(object, 'utf8'), 'original\n');
    assert.equal(lstatSync(object).nlink, 1);
    assert.equal(readFileSync(join(tree, 'shared'), 'utf8'), 'original\nchanged\n');
    assert.deepEqual(entries(join(tree, 'keep')), ['a', 'h1', 'h2', 'new', 'self', 'suid']);
    assert.equal(readFileSync(join(tree, 'keep/a'), 'utf8'), 'renamed over\n');
    assert.equal(readlinkSync(join(tree, 'keep/self')), '/keep');
    assert.equal(lstatSync(join(tree, 'keep/suid')).mode & 0o7777, 0o4755);
    assert.equal(lstatSync(join(tree, 'keep/h1')).ino, lstatSync(join(tree, 'keep/h2')).ino);
    assert.equal(lstatSync(join(tree, 'gone'), { throwIfNoEntry: false }), undefined);
    assert.deepEqual(entries(join(tree, 'again')), ['fresh']);
    assert.equal(lstatSync(join(tree, 'again')).mode & 0o7777, 0o750);
    assert.equal(readFileSync(join(tree, 'dir-to-file'), 'utf8'), 'now a file\n');
    assert.ok(lstatSync(join(tree, 'link-to-dir')).isDirectory());
    assert.deepEqual(entries(join(tree, 'link-to-dir')), ['inside']);
    assert.deepEqual(entries(join(tree, 'keep')).includes('inside'), false);
    assert.equal(readFileSync(join(tree, 'file-to-dir/sub/deep'), 'utf8'), 'deep\n');
    const moddir = lstatSync(join(tree, 'moddir'));
    assert.equal(moddir.mode & 0o7777, 0o2770);
    assert.equal(moddir.gid, 1234);

    // Nothing of overlayfs is left, in the tree or beside it.
    const leftovers = ['.', ...entries(tree)].filter((rel) => {
      const p = join(tree, rel);
      return lstatSync(p).isCharacterDevice() || listXattrs(p).some((n) => n.startsWith('trusted.overlay.'));
    });
    assert.deepEqual(leftovers, []);
    assert.deepEqual(readdirSync(dir).sort(), ['objects', 'tree']);
  });

  it('a failing command: its status is passed on and the overlay is removed', async () => {
    const r = await runInTreeSandbox({ tree, argv: ['/no-such-program'], env: {} });
    assert.notEqual(r.code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['objects', 'tree']);
  });
});
