/**
 * Resolution by apt itself: `apt-get -s install -- SPECS` against the base tree's dpkg status.
 * Its plan lines (`Inst NAME [OLD] (VERSION ORIGIN [ARCH])`, `Remv NAME [OLD]`) become the
 * list of packages a layer adds; apt's own errors become PackageNotFound or
 * DependencyProblem with apt's words.
 */
import type { AptEnvironment } from './apt-environment.js';

/** One package apt would install. */
export interface PlannedPackage {
  name: string;
  version: string;
  architecture: string;
  /** apt's origin label (archive/codename, or the host name of a flat repository). */
  origin: string;
  /** The version the base has, when this replaces it (an upgrade of a base package). */
  replaces: string | null;
}

/** Why resolution failed; the message is apt's. */
export class ResolveError extends Error {
  constructor(
    readonly kind: 'PackageNotFound' | 'DependencyProblem',
    message: string,
    /** The package specs apt named (PackageNotFound). */
    readonly packages: string[] = [],
  ) {
    super(message);
  }
}

const INST = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*?) \[(\S+)\]\)/;
const REMV = /^Remv (\S+)(?: \[(\S+)\])?/;

/** Parses `apt-get -s` output into what it installs and what it removes. */
function parseSimulation(stdout: string): { install: PlannedPackage[]; remove: string[] } {
  const install: PlannedPackage[] = [];
  const remove: string[] = [];
  for (const line of stdout.split('\n')) {
    const i = INST.exec(line);
    if (i !== null) {
      install.push({ name: i[1], replaces: i[2] ?? null, version: i[3], origin: i[4], architecture: i[5] });
      continue;
    }
    const r = REMV.exec(line);
    if (r !== null) remove.push(r[1]);
  }
  return { install, remove };
}

/** apt's errors as a named error (unknown package, version or architecture → PackageNotFound). */
export function classifyAptFailure(stdout: string, stderr: string): ResolveError {
  const errors = stderr.split('\n').filter((l) => l.startsWith('E: '));
  const missing = errors.flatMap((l) => {
    const m =
      /^E: Unable to locate package (\S+)/.exec(l) ??
      /^E: Version '([^']+)' for '([^']+)' was not found/.exec(l) ??
      /^E: Package '([^']+)' has no installation candidate/.exec(l);
    if (m === null) return [];
    return [m[2] !== undefined ? `${m[2]}=${m[1]}` : m[1]];
  });
  if (missing.length > 0) {
    return new ResolveError('PackageNotFound', `Package not found: ${missing.join(', ')}`, missing);
  }
  // apt explains unmet dependencies and conflicts on stdout, then says E: on stderr.
  const explanation = stdout
    .split('\n')
    .filter((l) => /^\s+\S+ : (Depends|Conflicts|Breaks|PreDepends|Recommends)/.test(l) || / : (Depends|Conflicts|Breaks)/.test(l))
    .map((l) => l.trim());
  const text = [...explanation, ...errors.map((l) => l.slice(3))].join('; ');
  return new ResolveError('DependencyProblem', text === '' ? stderr.trim() || 'apt failed' : text);
}

/**
 * The apt specs of a layer: packages to install (`name`, `name=version`) and base packages to
 * remove, as apt's `name-` (one resolution for both, so apt checks the result as a whole).
 */
export function layerSpecs(install: string[], remove: string[]): string[] {
  return [...install, ...remove.map((name) => `${name}-`)];
}

/**
 * The packages `specs` bring onto the base: apt's plan for installing them all at once.
 * A plan that removes a base package other than those of `removals` (overrides) is refused,
 * naming them: they depend on a removed package (or conflict with a new one).
 */
export async function resolvePackages(apt: AptEnvironment, specs: string[], removals: string[] = []): Promise<PlannedPackage[]> {
  const r = await apt.run('apt-get', ['-s', '-q', 'install', '--', ...specs]);
  if (r.code !== 0) throw classifyAptFailure(r.stdout, r.stderr);
  const plan = parseSimulation(r.stdout);
  const unasked = plan.remove.filter((name) => !removals.includes(name.replace(/:\S+$/, '')));
  if (unasked.length > 0) {
    const what = removals.length > 0 ? `Removing ${removals.join(' ')}` : `Installing ${specs.join(' ')}`;
    const hint = removals.length > 0 ? ` (they depend on it); remove them too: apt-ostree override remove ${[...removals, ...unasked].join(' ')}` : '';
    throw new ResolveError('DependencyProblem', `${what} would also remove base packages: ${unasked.join(', ')}${hint}`, unasked);
  }
  return plan.install;
}
