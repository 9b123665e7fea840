/**
 * The host's dpkg for a tree that has none (the synthetic trees of the demo and the tests):
 * its programs and the host's C library directory bound read-only under /run/apt-ostree/host
 * in the sandbox — a path of their own, the host's root stays invisible. Each tool is run by
 * the host's ELF loader with the host's libraries (`ld.so --library-path`), through one small
 * wrapper linked under each tool's name and found last on PATH, so maintainer scripts keep the
 * tree's own programs and libraries (no LD_LIBRARY_PATH leaks into them). The wrapper needs the
 * tree's /bin/sh, which dpkg needs anyway to run maintainer scripts.
 */
import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SandboxExtra } from '../fs/tree-sandbox.js';

const HOST_TOOLS = '/run/apt-ostree/host';
const WRAPPER = `${HOST_TOOLS}/run-host-tool`;

/** What dpkg runs by name or checks on PATH (its PATH check wants sh, rm, tar, diff, ldconfig, start-stop-daemon). */
const TOOLS = [
  'dpkg',
  'dpkg-deb',
  'dpkg-query',
  'dpkg-divert',
  'dpkg-trigger',
  'dpkg-statoverride',
  'dpkg-split',
  'dpkg-maintscript-helper',
  'update-alternatives',
  'start-stop-daemon',
  'rm',
  'tar',
  'diff',
  'ldconfig',
];
const HOST_PATH = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'];

function hostProgram(name: string): string | null {
  for (const d of HOST_PATH) if (existsSync(join(d, name))) return realpathSync(join(d, name));
  return null;
}

const INTERPRETER = /(\/[\w./-]*\/ld-[\w.-]+\.so[\w.]*)\0/;

/** The ELF interpreter of `binary` (PT_INTERP: a NUL-terminated path near the file's start), null for a script or a static program. */
function elfInterpreter(binary: string): string | null {
  const buf = Buffer.alloc(4096);
  const fd = openSync(binary, 'r');
  try {
    readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('latin1');
  return text.startsWith('\x7fELF') ? (INTERPRETER.exec(text)?.[1] ?? null) : null;
}

/** Whether `tree` has its own dpkg (then it runs, as on the system itself). */
export function treeHasDpkg(tree: string): boolean {
  return existsSync(join(tree, 'usr/bin/dpkg'));
}

/** The sandbox extras that give a tree without dpkg the host's, and the PATH to use with them. */
interface HostDpkgTools {
  extras: SandboxExtra[];
  /** Appended to the tree's PATH. */
  pathSuffix: string;
  /** dpkg's path in the sandbox. */
  dpkg: string;
}

let cached: HostDpkgTools | null = null;

/** The host's dpkg tools (looked up once per process). */
export function hostDpkgTools(): HostDpkgTools {
  cached ??= findHostDpkgTools();
  return cached;
}

function findHostDpkgTools(): HostDpkgTools {
  const dpkg = hostProgram('dpkg');
  if (dpkg === null) throw new Error('The tree has no dpkg and neither has the host');
  const interpreter = elfInterpreter(dpkg);
  if (interpreter === null) throw new Error(`No ELF interpreter found in ${dpkg}`);
  const loader = realpathSync(interpreter);
  const libDir = dirname(loader);
  const script = [
    '#!/bin/sh',
    "# apt-ostree: the host tool of the same name, with the host's loader and libraries.",
    `exec ${HOST_TOOLS}/lib/${loader.slice(libDir.length + 1)} --library-path ${HOST_TOOLS}/lib "${HOST_TOOLS}/real/\${0##*/}" "$@"`,
    '',
  ].join('\n');
  const extras: SandboxExtra[] = [
    { kind: 'bind', source: libDir, dest: `${HOST_TOOLS}/lib` },
    { kind: 'data', content: script, dest: WRAPPER, mode: 0o555 },
  ];
  for (const t of TOOLS) {
    const p = hostProgram(t);
    if (p === null) continue;
    extras.push({ kind: 'bind', source: p, dest: `${HOST_TOOLS}/real/${t}` });
    // Shell scripts (dpkg-maintscript-helper) and static programs (ldconfig) run as they are.
    extras.push({ kind: 'symlink', target: elfInterpreter(p) !== null ? WRAPPER : `${HOST_TOOLS}/real/${t}`, dest: `${HOST_TOOLS}/bin/${t}` });
  }
  return { extras, pathSuffix: `${HOST_TOOLS}/bin`, dpkg: `${HOST_TOOLS}/bin/dpkg` };
}
