/**
 * The APT sources of a deployed tree (`etc/apt/sources.list`, `sources.list.d/*.list` one-line
 * entries and `*.sources` deb822 stanzas), one entry per type, URI and suite, in the shape of
 * rpm-ostree's ListRepos. Read only: nothing here runs apt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptRepoEntry {
  id: string;
  description: string;
  isDevel: boolean;
  isSource: boolean;
  isEnabled: boolean;
}

const DEVEL_SUITES = /^(unstable|sid|experimental)(\/|$)|-(proposed|backports-sloppy)$/;

function entry(type: string, uri: string, suite: string, components: string[], enabled: boolean): AptRepoEntry {
  return {
    id: `${uri} ${suite}`,
    description: [type, uri, suite, ...components].join(' '),
    isDevel: DEVEL_SUITES.test(suite),
    isSource: type === 'deb-src',
    isEnabled: enabled,
  };
}

/** One-line entries: `deb [options] URI SUITE [COMPONENT...]`; `#deb ...` is a disabled one. */
function oneLine(text: string): AptRepoEntry[] {
  const out: AptRepoEntry[] = [];
  for (const raw of text.split('\n')) {
    const disabled = /^\s*#\s*deb(-src)?\s/.test(raw);
    const line = (disabled ? raw.replace(/^\s*#\s*/, '') : raw).replace(/#.*$/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(line);
    if (m === null) continue;
    out.push(entry(m[1], m[2], m[3], m[4].trim().split(/\s+/).filter(Boolean), !disabled));
  }
  return out;
}

/** deb822 stanzas: Types, URIs, Suites, Components, Enabled. */
function deb822(text: string): AptRepoEntry[] {
  const out: AptRepoEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last !== null) {
        fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m === null) continue;
      last = m[1].toLowerCase();
      fields.set(last, m[2].trim());
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    const enabled = !/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes');
    for (const type of words('types'))
      for (const uri of words('uris')) for (const suite of words('suites')) out.push(entry(type, uri, suite, words('components'), enabled));
  }
  return out;
}

/** The sources of the tree at `root`. */
export function aptSources(root: string): AptRepoEntry[] {
  const read = (path: string): string | null => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  const repos = oneLine(read(join(root, 'etc/apt/sources.list')) ?? '');
  const dir = join(root, 'etc/apt/sources.list.d');
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    // No sources.list.d.
  }
  for (const name of names) {
    const text = read(join(dir, name));
    if (text === null) continue;
    if (name.endsWith('.list')) repos.push(...oneLine(text));
    else if (name.endsWith('.sources')) repos.push(...deb822(text));
  }
  return repos;
}
