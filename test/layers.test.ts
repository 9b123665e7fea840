/**
 * The layers of src/: a module imports only from its own folder or from folders below it, so
 * that each layer can be read, tested and changed knowing only what is beneath it. Every
 * import counts — static, dynamic (`import('…')`), re-exports and type-only imports — since a
 * type import up the layers ties the lower layer's meaning to the upper one just the same.
 * Two modules that import each other (a cycle of two, type-only imports included) fail too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT } from './support/repo-root.js';

/**
 * The runtime folders of src/, top to bottom. A folder may import from itself and from any
 * folder after it in this list, never from one before it.
 */
const LAYERS = [
  'cli', // the command-line client (further restricted by CLIENT_IMPORTS)
  'daemon', // the process: wires the layers together, start-up, idle exit, systemd
  'transports', // the socket (JSON-RPC, Varlink) and the D-Bus shim
  // Handlers implement the dispatcher's contract (HandlerTable, CallContext): they sit above it,
  // and the dispatcher never imports one (the daemon hands it the table).
  'handlers', // what each method does with the services and the transaction engine
  'dispatcher', // one call: validation, precheck, authorization, the method's handler
  'authorization', // polkit
  'transactions', // the transaction engine: queue, journal, worker processes
  'worker', // the worker process: operations on the sysroot
  'services', // the daemon's read model over the backends
  'backends', // OSTree, APT, dpkg, initramfs, file system
  'config', // the configuration file
  'client', // the JSON-RPC client library
  'util', // small helpers with no knowledge of the daemon (the koffi loader, SCM_RIGHTS)
  'generated', // files generated from src/api (validators, version)
  'api', // the method table and the API's types: shared declarations, usable by all
];

/** Build-time and tooling folders: they may import anything, and no runtime folder may import them. */
const TOOLING = ['generators', 'demo', 'compose', 'vm'];

/** The CLI is a client of the daemon: it talks to it through the API, never through its internals. */
// (generated: the version constant for --version.)
const CLIENT_IMPORTS: Record<string, string[]> = { cli: ['cli', 'client', 'api', 'util', 'generated'] };

interface Import {
  from: string; // file, relative to the checkout
  to: string; // file, relative to the checkout
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers a source text imports: static, dynamic, re-exports and type-only (comments and strings skipped). */
function specifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Every relative import of every module of src/, resolved to a file. */
function imports(): Import[] {
  const found: Import[] = [];
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    for (const fileName of specifiers(readFileSync(file, 'utf8'))) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName).replace(/\.js$/, '.ts');
      found.push({ from: relative(REPO_ROOT, file), to: relative(REPO_ROOT, target) });
    }
  }
  return found;
}

/** The folder of src/ a file is in (`src/backends/ostree/x.ts` → `backends`). */
function folderOf(file: string): string {
  const parts = file.split(sep);
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : `(${parts.slice(0, 2).join('/')})`;
}

/** Why `i` breaks the layering, or null. */
function violation(i: Import): string | null {
  const from = folderOf(i.from);
  const to = folderOf(i.to);
  if (from === to || TOOLING.includes(from)) return null;
  if (TOOLING.includes(to)) return `${from} imports the tooling folder ${to}`;
  const allowed = CLIENT_IMPORTS[from];
  if (allowed !== undefined && !allowed.includes(to)) return `${from} may import only ${allowed.join(', ')}`;
  const fromRank = LAYERS.indexOf(from);
  const toRank = LAYERS.indexOf(to);
  if (fromRank < 0 || toRank < 0) return `${fromRank < 0 ? from : to} is in no layer`;
  return toRank < fromRank ? `${from} imports ${to}, a layer above it` : null;
}

describe('the layers of src/', () => {
  const all = imports();

  it('finds imports of every kind, and only imports', () => {
    const sample = [
      "import { a } from './static.js';",
      "import type { B } from './type-only.js';",
      "import { type C, d } from './mixed.js';",
      "export { e } from './re-export.js';",
      "export type { F } from './type-re-export.js';",
      "import './side-effect.js';",
      "const g = await import('./dynamic.js');",
      "type H = typeof import('./type-query.js');",
      "// import { x } from './in-a-comment.js';",
      'const s = "import { y } from \'./in-a-string.js\'";',
    ].join('\n');
    assert.deepEqual(specifiers(sample), [
      './static.js',
      './type-only.js',
      './mixed.js',
      './re-export.js',
      './type-re-export.js',
      './side-effect.js',
      './dynamic.js',
      './type-query.js',
    ]);
    assert.ok(all.length > 500, `only ${all.length} imports found in src/`);
  });

  it('every folder of src/ is in the table', () => {
    const folders = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const missing = folders.filter((f) => !LAYERS.includes(f) && !TOOLING.includes(f));
    assert.deepEqual(missing, [], 'folders with no place in the layers');
  });

  it('no module imports from a layer above its own', () => {
    const found = all.flatMap((i) => {
      const why = violation(i);
      return why === null ? [] : [`${i.from} -> ${i.to}: ${why}`];
    });
    assert.deepEqual(found, [], `imports up the layers:\n${found.join('\n')}`);
  });

  it('no two modules import each other', () => {
    const edges = new Set(all.map((i) => `${i.from}\n${i.to}`));
    const cycles = all.filter((i) => i.from < i.to && edges.has(`${i.to}\n${i.from}`)).map((i) => `${i.from} <-> ${i.to}`);
    assert.deepEqual([...new Set(cycles)], [], `modules that import each other:\n${cycles.join('\n')}`);
  });
});
