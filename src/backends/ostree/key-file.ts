/**
 * A reader for GLib's key-file text format (what g_key_file_to_data produces), enough
 * for OSTree origin files: groups, `key=value`, comments, GLib's value escapes and
 * `;`-separated lists. Parsing in TypeScript keeps the FFI surface to one call per
 * origin instead of one per key.
 */

/** A parsed key file; values are kept raw (escaped) and decoded on access. */
export class KeyFile {
  private readonly data = new Map<string, Map<string, string>>();

  /** Parses key-file text. Lines outside any group and malformed lines are ignored, as GLib's writer never produces them. */
  static parse(text: string): KeyFile {
    const kf = new KeyFile();
    let group: Map<string, string> | undefined;
    for (const rawLine of text.split('\n')) {
      const line = rawLine.replace(/^[ \t]+/, '').replace(/\r$/, '');
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('[')) {
        const end = line.indexOf(']');
        if (end < 0) continue;
        const name = line.slice(1, end);
        group = kf.data.get(name) ?? new Map<string, string>();
        kf.data.set(name, group);
        continue;
      }
      const eq = line.indexOf('=');
      if (eq < 0 || group === undefined) continue;
      // GLib trims whitespace after the key and before the value, never at the end.
      group.set(line.slice(0, eq).trimEnd(), line.slice(eq + 1).replace(/^[ \t]+/, ''));
    }
    return kf;
  }

  /** Group names in file order. */
  groups(): string[] {
    return [...this.data.keys()];
  }

  /** True when the group has the key. */
  has(group: string, key: string): boolean {
    return this.data.get(group)?.has(key) ?? false;
  }

  /** The raw value as written in the file (escapes not decoded); null when absent. */
  getRaw(group: string, key: string): string | null {
    return this.data.get(group)?.get(key) ?? null;
  }

  /** The value with GLib escapes (`\s \n \t \r \\`) decoded; null when absent. */
  getString(group: string, key: string): string | null {
    const raw = this.getRaw(group, key);
    return raw === null ? null : (splitValue(raw, null)[0] ?? '');
  }

  /**
   * A `;`-separated list (g_key_file_get_string_list); `\;` is a literal semicolon.
   * Empty items are dropped (`a;;b;` → `[a, b]`); an absent key gives `[]`.
   */
  getStringList(group: string, key: string): string[] {
    const raw = this.getRaw(group, key);
    return raw === null ? [] : splitValue(raw, ';').filter((s) => s !== '');
  }

  /** GLib booleans: `true`/`1` and `false`/`0`; null when absent or not a boolean. */
  getBoolean(group: string, key: string): boolean | null {
    const raw = this.getRaw(group, key);
    if (raw === null) return null;
    const v = raw.trimEnd();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return null;
  }
}

const ESCAPES: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

/** Decodes escapes and, when `sep` is given, splits on unescaped separators. */
function splitValue(raw: string, sep: string | null): string[] {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      // An escaped separator (or any unknown escape) stands for the character itself.
      cur += ESCAPES[n] ?? (n === sep ? n : '\\' + n);
    } else if (sep !== null && c === sep) {
      items.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  items.push(cur);
  return items;
}
