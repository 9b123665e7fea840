/**
 * The repository stands on its own: no source file, test, script, document or packaging file
 * points a reader at a document that is not in it (working notes the project was planned with,
 * or a folder beside the checkout). Comments state the fact itself, or name a file of docs/.
 *
 * The names searched for are built from pieces here, so that this file does not match itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/repo-root.js';

/** What is scanned, relative to the checkout's root. */
const SCANNED = ['src', 'test', 'scripts', 'bench', 'fuzz', 'docs', 'debian', 'README.md'];
/** Folders never scanned (build output, dependencies). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);

const word = (...pieces: string[]): string => pieces.join('');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SEED = word('se', 'ed');
const SHARED = word('..', '/', 'sha', 'red');
const PLAN = word('design ', 'pl', 'an');
const DOCUMENT = word('design ', 'docu', 'ment');
const NOTE_FILES = [word('DECI', 'SIONS'), word('FA', 'CTS'), word('STY', 'LE')].map((name) => `${name}.md`);

/** A reference to an outside document: what it names and the pattern that finds it on a line. */
const OUTSIDE: { what: string; pattern: RegExp }[] = [
  ...NOTE_FILES.map((file) => ({ what: file, pattern: new RegExp(`(?<![\\w-])${escape(file)}`) })),
  { what: SHARED, pattern: new RegExp(`${escape(SHARED)}(?![\\w-])`) },
  { what: `${SEED} §`, pattern: new RegExp(`\\b${SEED}('s)?\\s*§`, 'i') },
  { what: `the ${SEED}`, pattern: new RegExp(`\\bthe\\s+${SEED}\\b`, 'i') },
  { what: PLAN, pattern: new RegExp(`\\b${PLAN.replace(' ', '\\s+')}\\b`, 'i') },
  { what: DOCUMENT, pattern: new RegExp(`\\b${DOCUMENT.replace(' ', '\\s+')}\\b`, 'i') },
];

function filesUnder(path: string): string[] {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return [path];
  }
  return entries.flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : filesUnder(join(path, e.name));
    return e.isFile() ? [join(path, e.name)] : [];
  });
}

/** Every `file:line: what` in the scanned files. */
function outsideReferences(): string[] {
  const found: string[] = [];
  for (const file of SCANNED.flatMap((p) => filesUnder(join(REPO_ROOT, p)))) {
    const bytes = readFileSync(file);
    if (bytes.includes(0)) continue;
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const { what, pattern } of OUTSIDE) {
          if (pattern.test(line)) found.push(`${relative(REPO_ROOT, file)}:${i + 1}: ${what}`);
        }
      });
  }
  return found;
}

describe('references to documents outside the repository', () => {
  it('the patterns find what they are for', () => {
    const hits = (line: string) => OUTSIDE.filter(({ pattern }) => pattern.test(line)).map(({ what }) => what);
    const [decisions, facts, style] = NOTE_FILES;
    assert.deepEqual(hits(`see ${decisions}`), [decisions]);
    assert.deepEqual(hits(`as ${facts} says`), [facts]);
    assert.deepEqual(hits(`(${style})`), [style]);
    assert.deepEqual(hits(`in ${SHARED}/notes`), [SHARED]);
    assert.deepEqual(hits(`(${SEED} §5.3)`), [`${SEED} §`]);
    assert.deepEqual(hits(`The ${SEED}'s keys`), [`the ${SEED}`]);
    assert.deepEqual(hits(`the ${SEED}'s §1.3`), [`${SEED} §`, `the ${SEED}`]);
    assert.deepEqual(hits(`the ${PLAN} says`), [PLAN]);
    assert.deepEqual(hits(`per the ${DOCUMENT.toUpperCase()}`), [DOCUMENT]);
    // This repository's own documents and ordinary words are not references.
    assert.deepEqual(hits('docs/design-decisions.md "Roles of deployments"'), []);
    assert.deepEqual(hits("import { sharedRun } from '../util/shared-run.js';"), []);
    assert.deepEqual(hits("import { x } from '../shared-run.js';"), []);
    assert.deepEqual(hits('rerun with --seed 42; a fixed seed in CI'), []);
    assert.deepEqual(hits('Debian policy §5.6.1'), []);
  });

  it('no file names one', () => {
    const found = outsideReferences();
    assert.deepEqual(found, [], `references to documents outside the repository:\n${found.join('\n')}`);
  });
});
