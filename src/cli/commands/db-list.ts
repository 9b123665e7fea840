/**
 * `apt-ostree db list [DEPLOYMENT] [PATTERN...]` and `apt-ostree db version [DEPLOYMENT]`:
 * rpm-ostree's reads of a deployment's package database, here its dpkg database (OS.ListPackages).
 * DEPLOYMENT is an index from `apt-ostree status` or a deployment id (default: the booted
 * deployment, else the default one); PATTERNs are shell globs on package names.
 */
import { createHash } from 'node:crypto';
import type { ResultOf } from '../../api/method-types.js';
import { ExitCode, type CliContext } from '../cli-context.js';

type Listing = ResultOf<'OS.ListPackages'>;

/** A word that names a deployment rather than a package pattern. */
export function isDeploymentWord(word: string): boolean {
  return /^[0-9]{1,3}$/.test(word) || /^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{64}\.[0-9]+$/.test(word);
}

/** A shell glob (`*`, `?`, `[...]`) on a whole name, as a regular expression. */
export function globRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (close > 0) {
      const set = glob
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${set}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * The dpkg database's version, in the shape of rpm's "rpmdb version": the number of installed
 * packages and the SHA-1 of their sorted `name version architecture` lines. Equal versions,
 * equal package sets.
 */
export function dpkgDatabaseVersion(packages: Listing['packages']): string {
  const lines = packages.map((p) => `${p.name} ${p.version} ${p.architecture}\n`).sort();
  return `${lines.length}:${createHash('sha1').update(lines.join('')).digest('hex')}`;
}

async function listing(ctx: CliContext, os: string | undefined, deployment: string | undefined): Promise<Listing> {
  const client = await ctx.connect();
  try {
    return await client.call<Listing>('OS.ListPackages', { ...(os === undefined ? {} : { osname: os }), ...(deployment === undefined ? {} : { deployment }) });
  } finally {
    client.close();
  }
}

/** `db list [DEPLOYMENT] [PATTERN...]`. */
export async function dbList(words: string[], args: { json?: boolean; os?: string }, ctx: CliContext): Promise<number> {
  const deployment = words.length > 0 && isDeploymentWord(words[0]) ? words[0] : undefined;
  const patterns = (deployment === undefined ? words : words.slice(1)).map(globRegExp);
  const { deployment: id, packages } = await listing(ctx, args.os, deployment);
  const shown = patterns.length === 0 ? packages : packages.filter((p) => patterns.some((re) => re.test(p.name)));
  if (args.json === true) ctx.io.stdout.write(JSON.stringify({ deployment: id, packages: shown }) + '\n');
  else ctx.io.stdout.write(`Deployment: ${id}\n${shown.map((p) => ` ${p.name} ${p.version} ${p.architecture}\n`).join('')}`);
  return ExitCode.Ok;
}

/** `db version [DEPLOYMENT]`. */
export async function dbVersion(words: string[], args: { json?: boolean; os?: string }, ctx: CliContext): Promise<number> {
  if (words.length > 1 || (words.length === 1 && !isDeploymentWord(words[0]))) {
    ctx.io.stderr.write('apt-ostree db version: at most one DEPLOYMENT (an index from `apt-ostree status` or a deployment id)\n');
    return ExitCode.Usage;
  }
  const { deployment: id, packages } = await listing(ctx, args.os, words[0]);
  const version = dpkgDatabaseVersion(packages);
  if (args.json === true) ctx.io.stdout.write(JSON.stringify({ deployment: id, dpkgDatabaseVersion: version }) + '\n');
  else ctx.io.stdout.write(`Deployment: ${id}\n  dpkg database version: ${version}\n`);
  return ExitCode.Ok;
}
