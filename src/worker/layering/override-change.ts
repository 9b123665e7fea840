/**
 * Changing the overrides of base packages (rpm-ostree's `override remove|replace|reset`): the
 * new `[overrides]` of a deployment, or a refusal that says what to do instead.
 */
import type { BaseOverrides } from '../../backends/ostree/write/deployment-writer.js';
import { OperationError } from '../operation-context.js';
import { splitReplacement } from './base-overrides.js';

/** What a request changes in the overrides. */
export interface OverrideChange {
  overrideRemove?: string[];
  overrideReplace?: string[];
  overrideReset?: string[];
  overrideResetAll?: boolean;
}

export function changesOverrides(c: OverrideChange): boolean {
  return (c.overrideRemove ?? []).length + (c.overrideReplace ?? []).length + (c.overrideReset ?? []).length > 0 || c.overrideResetAll === true;
}

/**
 * The overrides after `c`: resets first (all, or by name), then removals, then replacements.
 * `inBase`: the packages of the base; `layered`: the requested (layered) packages.
 */
export function changeOverrides(current: BaseOverrides, inBase: Set<string>, layered: string[], c: OverrideChange): BaseOverrides {
  let remove = c.overrideResetAll === true ? [] : [...current.remove];
  let replace = c.overrideResetAll === true ? [] : [...current.replace];
  const replacedName = (entry: string): string => splitReplacement(entry)[0];
  for (const name of c.overrideReset ?? []) {
    if (!remove.includes(name) && !replace.some((e) => replacedName(e) === name)) {
      throw new OperationError('Failed', `${name} has no override to reset (apt-ostree status shows the overrides)`);
    }
    remove = remove.filter((n) => n !== name);
    replace = replace.filter((e) => replacedName(e) !== name);
  }
  const mustBeInBase = (name: string, what: string): void => {
    if (inBase.has(name)) return;
    const instead = layered.some((r) => r.replace(/[:=].*$/, '') === name)
      ? `it is a layered package: apt-ostree uninstall ${name}`
      : 'apt-ostree install adds packages';
    throw new OperationError('Failed', `${name} is not a package of the base image, so it cannot be ${what}; ${instead}`);
  };
  for (const name of c.overrideRemove ?? []) {
    mustBeInBase(name, 'removed');
    if (remove.includes(name))
      throw new OperationError('Failed', `${name} is already removed from the base (apt-ostree override reset ${name} brings it back)`);
    replace = replace.filter((e) => replacedName(e) !== name);
    remove.push(name);
  }
  for (const entry of c.overrideReplace ?? []) {
    const name = replacedName(entry);
    mustBeInBase(name, 'replaced');
    if (replace.includes(entry)) throw new OperationError('Failed', `${name} is already replaced by ${splitReplacement(entry)[1] ?? "the sources' version"}`);
    remove = remove.filter((n) => n !== name);
    replace = [...replace.filter((e) => replacedName(e) !== name), entry];
  }
  return { remove, replace };
}

export function sameOverrides(a: BaseOverrides, b: BaseOverrides): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.remove, b.remove) && same(a.replace, b.replace);
}
