// Installs the node modules the bundles load at run time into DEST/node_modules (replacing what
// is there): the bundles' externals (scripts/bundle-externals.mjs) and their dependencies,
// found as Node finds them from the project's node_modules; nothing else (the rest is bundled).
// Pruned of what never runs: documentation, tests, examples, command-line tools, type
// declarations, source maps, C/C++ sources and koffi's build inputs, and native builds for
// other platforms. Licence files stay (a packager may move them, as debian/rules does).
// Usage: node scripts/runtime-modules.mjs DEST
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, rmdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { BUNDLE_EXTERNALS } from './bundle-externals.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const DROP_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'example',
  'examples',
  'doc',
  'docs',
  'bench',
  'benchmark',
  'benchmarks',
  'coverage',
  'typings',
  'bin',
  '.github',
]);
const DROP_NAMES = new Set([
  'CMakeLists.txt',
  'Makefile',
  'binding.gyp',
  'test.js',
  'test.html',
  'appveyor.yml',
  '.travis.yml',
  '.npmignore',
  '.eslintrc',
  '.eslintrc.json',
  '.jshintrc',
  '.editorconfig',
]);
const DROP_EXTENSIONS = /\.(md|markdown|ts|mts|cts|map|c|cc|cpp|h|hh|hpp|inc|def|S|asm|gyp|gypi)$/;
const LICENCE = /^licen[cs]e/i;
/**
 * Per package, paths (relative to it) only its build uses: koffi builds its addon from these
 * (cnoke.cjs, vendor/) and generates code (trampolines.cjs) when no prebuilt addon fits; the
 * platform package's prebuilt one is what runs.
 */
const BUILD_ONLY = { koffi: ['vendor', 'cnoke.cjs', 'src/koffi/src/trampolines.cjs'] };
/** koffi's platform packages hold one build per C library (linux_x64 for glibc, musl_x64 for musl): this system's. */
const KOFFI_PLATFORM_PACKAGE = /^@koromix\/koffi-/;
const NATIVE_BUILD_DIR = /^[a-z0-9]+_[a-z0-9]+$/;
const NATIVE_BUILD_HERE = `${process.platform}_${process.arch}`;

/** The directory of package `name` as `require` would find it from `fromDir`, or null. */
function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dir === dirname(dir)) return null;
  }
}

/** Whether an optional dependency's package.json admits this OS and CPU (npm installs it only then). */
function fitsThisPlatform(pkg) {
  const fits = (list, value) => !Array.isArray(list) || list.includes(value) || (list.some((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  return fits(pkg.os, process.platform) && fits(pkg.cpu, process.arch);
}

/** name → directory of every package the externals need at run time. */
function runtimeClosure() {
  const found = new Map();
  const visit = (name, fromDir, optional) => {
    const dir = findPackage(name, fromDir);
    if (dir === null) {
      if (optional) return;
      throw new Error(`runtime-modules: ${name} is not installed (npm ci)`);
    }
    if (found.has(dir)) return;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (optional && !fitsThisPlatform(pkg)) return;
    found.set(dir, name);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of BUNDLE_EXTERNALS) visit(name, ROOT, false);
  return found;
}

function dropped(name, rel, pkgName, isDir) {
  if (LICENCE.test(name)) return false;
  if ((BUILD_ONLY[pkgName] ?? []).includes(rel)) return true;
  if (isDir) {
    if (DROP_DIRS.has(name) || name === 'node_modules') return true;
    return KOFFI_PLATFORM_PACKAGE.test(pkgName) && !rel.includes('/') && NATIVE_BUILD_DIR.test(name) && name !== NATIVE_BUILD_HERE;
  }
  return DROP_NAMES.has(name) || DROP_EXTENSIONS.test(name);
}

/** Copies `src` to `dest` without what `dropped` rejects; returns whether anything was copied. */
function copyPruned(src, dest, pkgName, rel = '') {
  mkdirSync(dest, { recursive: true });
  let copied = false;
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    const entryRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (dropped(entry.name, entryRel, pkgName, entry.isDirectory())) continue;
    const from = join(src, entry.name);
    const to = join(dest, entry.name);
    if (entry.isDirectory()) {
      copied = copyPruned(from, to, pkgName, entryRel) || copied;
    } else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
      copied = true;
    } else if (entry.isFile()) {
      copyFileSync(from, to);
      // Modules are loaded, never executed (their command-line tools are left out).
      chmodSync(to, 0o644);
      copied = true;
    }
  }
  if (!copied) rmdirSync(dest);
  return copied;
}

const dest = process.argv[2];
if (dest === undefined) {
  process.stderr.write('usage: node scripts/runtime-modules.mjs DEST\n');
  process.exit(2);
}
const modules = join(resolve(dest), 'node_modules');
rmSync(modules, { recursive: true, force: true });
for (const [dir, name] of runtimeClosure()) {
  copyPruned(dir, join(resolve(dest), relative(ROOT, dir)), name);
}
