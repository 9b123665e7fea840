/**
 * Writes every generated artifact (schema/, src/generated/) from the method table and removes
 * stale ones. Run `npm run build && npm run generate && npm run build` after changing src/api.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DIRS, generatedArtifacts, isHandwritten } from '../src/generators/artifacts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

const files = generatedArtifacts();
for (const dir of GENERATED_DIRS) {
  for (const file of listFiles(join(root, dir))) {
    const path = relative(root, file);
    if (!files.has(path) && !isHandwritten(path)) rmSync(file);
  }
}
for (const [path, content] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
console.log(`wrote ${files.size} generated files`);
