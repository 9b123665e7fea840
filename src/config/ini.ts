/** An INI document: section → key → value (the format of apt-ostreed.conf and origin files). */
export type IniDocument = Map<string, Map<string, string>>;

/** A syntax problem, with its 1-based line number. */
export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parses GKeyFile-style INI text: `[Section]`, `key=value`, `#` and `;` comments, blank lines.
 * Keys outside a section and malformed lines are errors, not silently ignored.
 */
export function parseIni(text: string): IniDocument {
  const doc: IniDocument = new Map();
  let section: Map<string, string> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1].trim();
      section = doc.get(name) ?? new Map();
      doc.set(name, section);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new IniSyntaxError(i + 1, `expected key=value, got "${line}"`);
    if (section === undefined) throw new IniSyntaxError(i + 1, 'key outside of any [Section]');
    section.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return doc;
}
