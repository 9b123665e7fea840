/**
 * The commit of a layered tree (DECISIONS.md): parent = the base commit, the base's version,
 * metadata `aptostree.clientlayer`, `aptostree.base-commit`, `aptostree.requested-packages`
 * and `aptostree.packages` (`name=version:arch`). `--link-checkout-speedup` reuses the
 * objects of the hardlinked checkout instead of re-hashing them.
 */
import { execFile } from 'node:child_process';
import type { PlannedPackage } from '../../../backends/apt/resolve.js';

/** A GVariant text literal of an array of strings (`['a', 'b']`, or `@as []`). */
export function stringArrayVariant(values: string[]): string {
  if (values.length === 0) return '@as []';
  return `[${values.map((v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

export interface LayerCommitRequest {
  repo: string;
  tree: string;
  base: { checksum: string; version: string | null };
  requested: string[];
  packages: PlannedPackage[];
}

/** Commits the tree; returns the new commit's checksum. */
export function commitLayer(req: LayerCommitRequest): Promise<string> {
  const args = [
    'commit',
    `--repo=${req.repo}`,
    `--tree=dir=${req.tree}`,
    `--parent=${req.base.checksum}`,
    '--orphan',
    '--link-checkout-speedup',
    `--subject=apt-ostree: ${req.requested.join(' ')}`,
    `--add-metadata-string=aptostree.base-commit=${req.base.checksum}`,
    '--add-metadata=aptostree.clientlayer=true',
    `--add-metadata=aptostree.requested-packages=${stringArrayVariant(req.requested)}`,
    `--add-metadata=aptostree.packages=${stringArrayVariant(req.packages.map((p) => `${p.name}=${p.version}:${p.architecture}`))}`,
  ];
  if (req.base.version !== null) args.push(`--add-metadata-string=version=${req.base.version}`);
  return new Promise((resolve, reject) =>
    execFile('ostree', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`Committing the layered tree failed: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    }),
  );
}
