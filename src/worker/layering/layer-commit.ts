/**
 * The commit of a layered tree (docs/design-decisions.md): parent = the base commit, the base's version,
 * metadata `aptostree.clientlayer`, `aptostree.base-commit`, `aptostree.requested-packages`
 * and `aptostree.packages` (`name=version:arch`), plus `aptostree.initramfs-args` (as) when the
 * initramfs was regenerated and `aptostree.initramfs-etc` (as) when /etc files were added to it.
 * `--link-checkout-speedup` reuses the objects of the hardlinked checkout instead of re-hashing them.
 */
import { valueText } from '../../backends/ostree/write/variant.js';
import { runCommand } from '../../util/run-command.js';
import type { PlannedPackage } from '../../backends/apt/resolve.js';
import type { BaseOverrides } from '../../backends/ostree/write/deployment-writer.js';

const stringArray = (value: string[]): string => valueText({ type: 'as', value });

export interface LayerCommitRequest {
  repo: string;
  tree: string;
  base: { checksum: string; version: string | null };
  requested: string[];
  /** Local .debs layered, `NAME:SHA256` (`aptostree.requested-local-packages`). */
  local: string[];
  /**
   * Base packages removed and replaced (`aptostree.removed-base-packages`, `aptostree.replaced-base-packages`,
   * `aptostree.replaced-base-local-packages`).
   */
  overrides: BaseOverrides;
  packages: PlannedPackage[];
  /** Arguments the initramfs was regenerated with; null: the base's initramfs. */
  initramfsArgs: string[] | null;
  /** Files of /etc appended to the initramfs (`aptostree.initramfs-etc`). */
  initramfsEtc: string[];
}

/** Commits the tree; returns the new commit's checksum. */
export async function commitLayer(req: LayerCommitRequest): Promise<string> {
  const args = [
    'commit',
    `--repo=${req.repo}`,
    `--tree=dir=${req.tree}`,
    `--parent=${req.base.checksum}`,
    '--orphan',
    '--link-checkout-speedup',
    `--subject=apt-ostree: ${[
      ...req.requested,
      ...req.local.map((e) => e.slice(0, e.lastIndexOf(':'))),
      ...req.overrides.remove.map((n) => `-${n}`),
      ...req.overrides.replace,
      ...req.overrides.replaceLocal.map((e) => `${e.slice(0, e.lastIndexOf(':'))}(local)`),
      ...(req.initramfsArgs !== null ? ['(initramfs)'] : []),
      ...(req.initramfsEtc.length > 0 ? ['(initramfs-etc)'] : []),
    ].join(' ')}`,
    `--add-metadata-string=aptostree.base-commit=${req.base.checksum}`,
    '--add-metadata=aptostree.clientlayer=true',
    `--add-metadata=aptostree.requested-packages=${stringArray(req.requested)}`,
    `--add-metadata=aptostree.packages=${stringArray(req.packages.map((p) => `${p.name}=${p.version}:${p.architecture}`))}`,
  ];
  if (req.local.length > 0) args.push(`--add-metadata=aptostree.requested-local-packages=${stringArray(req.local)}`);
  if (req.overrides.remove.length > 0) args.push(`--add-metadata=aptostree.removed-base-packages=${stringArray(req.overrides.remove)}`);
  if (req.overrides.replace.length > 0) args.push(`--add-metadata=aptostree.replaced-base-packages=${stringArray(req.overrides.replace)}`);
  if (req.overrides.replaceLocal.length > 0) {
    args.push(`--add-metadata=aptostree.replaced-base-local-packages=${stringArray(req.overrides.replaceLocal)}`);
  }
  if (req.initramfsArgs !== null) args.push(`--add-metadata=aptostree.initramfs-args=${stringArray(req.initramfsArgs)}`);
  if (req.initramfsEtc.length > 0) args.push(`--add-metadata=aptostree.initramfs-etc=${stringArray(req.initramfsEtc)}`);
  if (req.base.version !== null) args.push(`--add-metadata-string=version=${req.base.version}`);
  try {
    return (await runCommand('ostree', args)).trim();
  } catch (e) {
    throw new Error(`Committing the layered tree failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
