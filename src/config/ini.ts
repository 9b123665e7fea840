/** An INI document: section → key → value (the format of apt-ostreed.conf and origin files). */
type IniDocument = Map<string, Map<string, string>>;

/** A syntax problem, with its 1-based line number. */
export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** One line that means something: a section header (`key` null) or a `key=value`, with its line number. */
interface IniEntry {
  section: string;
  key: string | null;
  value: string;
  line: number;
}

/**
 * Parses GKeyFile-style INI text: `[Section]`, `key=value`, `#` and `;` comments, blank lines.
 * Keys outside a section and malformed lines are errors, not silently ignored.
 */
export function parseIniEntries(text: string): IniEntry[] {
  const entries: IniEntry[] = [];
  let section: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      entries.push({ section, key: null, value: '', line: i + 1 });
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new IniSyntaxError(i + 1, `expected key=value, got "${line}"`);
    if (section === undefined) throw new IniSyntaxError(i + 1, 'key outside of any [Section]');
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: i + 1 });
  });
  return entries;
}

/** The same as section → key → value (a later key wins). */
export function parseIni(text: string): IniDocument {
  const doc: IniDocument = new Map();
  for (const e of parseIniEntries(text)) {
    const section = doc.get(e.section) ?? new Map<string, string>();
    doc.set(e.section, section);
    if (e.key !== null) section.set(e.key, e.value);
  }
  return doc;
}
