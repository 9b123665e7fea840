/**
 * Changing the overrides of base packages (rpm-ostree's `override remove|replace|reset`): the
 * new `[overrides]` of a deployment, or a refusal that says what to do instead.
 */
import type { BaseOverrides } from '../../backends/ostree/write/deployment-writer.js';
import { OperationError } from '../operation-context.js';
import { splitReplacement } from './base-overrides.js';
import { parseLocalEntry } from './local-debs.js';

/** What a request changes in the overrides. */
export interface OverrideChange {
  overrideRemove?: string[];
  overrideReplace?: string[];
  /** Replacements by local .debs, `NAME:SHA256` (files the request passed, already checked). */
  overrideReplaceLocal?: string[];
  overrideReset?: string[];
  overrideResetAll?: boolean;
}

export function changesOverrides(c: OverrideChange): boolean {
  const n = (c.overrideRemove ?? []).length + (c.overrideReplace ?? []).length + (c.overrideReplaceLocal ?? []).length + (c.overrideReset ?? []).length;
  return n > 0 || c.overrideResetAll === true;
}

const replacedName = (entry: string): string => splitReplacement(entry)[0];
const localName = (entry: string): string => parseLocalEntry(entry).name;

/**
 * The overrides after `c`: resets first (all, or by name), then removals, then replacements
 * (from the sources, then by local files). Each name has at most one override: a new one takes
 * the place of another of the same package. `inBase`: the packages of the base; `layered`:
 * the requested (layered) packages.
 */
export function changeOverrides(current: BaseOverrides, inBase: Set<string>, layered: string[], c: OverrideChange): BaseOverrides {
  const all = c.overrideResetAll === true;
  let remove = all ? [] : [...current.remove];
  let replace = all ? [] : [...current.replace];
  let replaceLocal = all ? [] : [...current.replaceLocal];
  const without = (name: string): void => {
    remove = remove.filter((n) => n !== name);
    replace = replace.filter((e) => replacedName(e) !== name);
    replaceLocal = replaceLocal.filter((e) => localName(e) !== name);
  };
  for (const name of c.overrideReset ?? []) {
    if (!remove.includes(name) && !replace.some((e) => replacedName(e) === name) && !replaceLocal.some((e) => localName(e) === name)) {
      throw new OperationError('Failed', `${name} has no override to reset (apt-ostree status shows the overrides)`);
    }
    without(name);
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
    without(name);
    remove.push(name);
  }
  for (const entry of c.overrideReplace ?? []) {
    const name = replacedName(entry);
    mustBeInBase(name, 'replaced');
    if (replace.includes(entry)) throw new OperationError('Failed', `${name} is already replaced by ${splitReplacement(entry)[1] ?? "the sources' version"}`);
    without(name);
    replace.push(entry);
  }
  for (const entry of c.overrideReplaceLocal ?? []) {
    const name = localName(entry);
    mustBeInBase(name, 'replaced');
    if (replaceLocal.includes(entry))
      throw new OperationError('Failed', `${name} is already replaced by this very file (sha256 ${parseLocalEntry(entry).sha256})`);
    without(name);
    replaceLocal.push(entry);
  }
  return { remove, replace, replaceLocal };
}

export function sameOverrides(a: BaseOverrides, b: BaseOverrides): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.remove, b.remove) && same(a.replace, b.replace) && same(a.replaceLocal, b.replaceLocal);
}
