/**
 * Hostile packages for the attack tests, built at test time with the real tools: a .deb with
 * arbitrary files (binaries included) and a postinst, added to the suite's flat APT
 * repository; and the static programs the packages run (escape-attempts.c, plant-symlink.c,
 * shared-inode-writes.c).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildAptRepo } from '../../src/demo/apt-repo.js';
import { REPO_ROOT } from './repo-root.js';

export interface HostileDeb {
  name: string;
  version: string;
  /** Absolute path in the tree → content and mode. */
  files: Record<string, { content: string | Buffer; mode: number }>;
  /** The whole postinst (with its #! line). */
  postinst: string;
}

/** Builds `spec` into `aptDir` and regenerates the repository's indexes. */
export function addHostileDeb(aptDir: string, spec: HostileDeb): void {
  const root = mkdtempSync(join(tmpdir(), 'aoatk-sbx-deb-'));
  try {
    mkdirSync(join(root, 'DEBIAN'));
    const control = [
      `Package: ${spec.name}`,
      `Version: ${spec.version}`,
      'Architecture: all',
      'Maintainer: attack tests <t@example.invalid>',
      `Description: hostile package ${spec.name}`,
    ];
    writeFileSync(join(root, 'DEBIAN/control'), control.join('\n') + '\n');
    writeFileSync(join(root, 'DEBIAN/postinst'), spec.postinst, { mode: 0o755 });
    for (const [path, { content, mode }] of Object.entries(spec.files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
      chmodSync(join(root, path), mode);
    }
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, join(aptDir, `${spec.name}_${spec.version}_all.deb`)], { stdio: 'ignore' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  buildAptRepo(aptDir, []);
}

/** A C program of test/support compiled static (it runs in trees without a C library): `escape-attempts`, `plant-symlink`, `shared-inode-writes`. */
export function compileStatic(name: 'escape-attempts' | 'plant-symlink' | 'shared-inode-writes' | 'overlay-ops'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'aoatk-sbx-cc-'));
  try {
    const out = join(dir, name);
    execFileSync('gcc', ['-static', '-O1', '-o', out, join(REPO_ROOT, `test/support/${name}.c`)], { stdio: 'pipe' });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
