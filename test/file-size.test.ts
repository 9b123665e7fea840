/**
 * Small files, one concept each: no module of src/ (generated code aside) over 400 lines, and
 * one over 300 only with a comment that says why ("Over 300 lines: ...").
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/repo-root.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the size of src/ modules', () => {
  it('keeps every module under 400 lines, and says why one is over 300', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      const name = relative(REPO_ROOT, file);
      if (lines > 400) problems.push(`${name}: ${lines} lines`);
      else if (lines > 300 && !/Over 300 lines: \S/.test(text)) problems.push(`${name}: ${lines} lines and no "Over 300 lines:" comment`);
    }
    assert.deepEqual(problems, []);
  });
});
