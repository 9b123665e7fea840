/**
 * The Varlink interface definition language (varlink.org): a small syntax tree, the one
 * canonical text form the project writes, and a parser for it. The generator builds trees and
 * formats them; a test parses every generated file back and formats it again (it must not
 * change), and systemd's `varlinkctl validate-idl` checks the files independently.
 */

export type VType =
  | { kind: 'bool' | 'int' | 'float' | 'string' | 'object' }
  | { kind: 'named'; name: string }
  | { kind: 'array'; of: VType }
  | { kind: 'map'; of: VType }
  | { kind: 'optional'; of: VType }
  | { kind: 'struct'; fields: VField[] }
  | { kind: 'enum'; values: string[] };

export interface VField {
  name: string;
  type: VType;
}

export type VMember =
  | { kind: 'type'; name: string; doc: string[]; type: { kind: 'struct'; fields: VField[] } | { kind: 'enum'; values: string[] } }
  | { kind: 'method'; name: string; doc: string[]; input: VField[]; output: VField[] }
  | { kind: 'error'; name: string; doc: string[]; fields: VField[] };

export interface VInterface {
  name: string;
  doc: string[];
  members: VMember[];
}

/** Field names, enum values: `[A-Za-z]([_]?[A-Za-z0-9])*`. */
export const FIELD_NAME = /^[A-Za-z](_?[A-Za-z0-9])*$/;
/** Type, method and error names. */
export const MEMBER_NAME = /^[A-Z][A-Za-z0-9]*$/;
/** Interface names: reverse-domain, at least two labels. */
export const INTERFACE_NAME = /^[A-Za-z]([-]*[A-Za-z0-9])*(\.[A-Za-z0-9]([-]*[A-Za-z0-9])*)+$/;

// --- formatting --------------------------------------------------------------------------

export function formatType(t: VType): string {
  switch (t.kind) {
    case 'bool':
    case 'int':
    case 'float':
    case 'string':
    case 'object':
      return t.kind;
    case 'named':
      return t.name;
    case 'array':
      return `[]${formatType(t.of)}`;
    case 'map':
      return `[string]${formatType(t.of)}`;
    case 'optional':
      return `?${formatType(t.of)}`;
    case 'struct':
      return `(${t.fields.map(formatField).join(', ')})`;
    case 'enum':
      return `(${t.values.join(', ')})`;
  }
}

const formatField = (f: VField): string => `${f.name}: ${formatType(f.type)}`;

/** `(a: T, ...)` on one line when empty, else one field per line. */
function fieldBlock(fields: VField[]): string {
  if (fields.length === 0) return '()';
  return `(\n${fields.map((f) => `  ${formatField(f)}`).join(',\n')}\n)`;
}

const docLines = (doc: string[]): string => doc.map((l) => (l === '' ? '#\n' : `# ${l}\n`)).join('');

export function formatInterface(i: VInterface): string {
  const parts = [`${docLines(i.doc)}interface ${i.name}`];
  for (const m of i.members) {
    let text: string;
    if (m.kind === 'type') {
      text = m.type.kind === 'enum' ? `type ${m.name} (${m.type.values.join(', ')})` : `type ${m.name} ${fieldBlock(m.type.fields)}`;
    } else if (m.kind === 'method') {
      text = `method ${m.name}${fieldBlock(m.input)} -> ${fieldBlock(m.output)}`;
    } else {
      text = `error ${m.name} ${fieldBlock(m.fields)}`;
    }
    parts.push(docLines(m.doc) + text);
  }
  return parts.join('\n\n') + '\n';
}

// --- parsing -----------------------------------------------------------------------------

type Token = { kind: 'word' | 'punct' | 'comment'; text: string; line: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      tokens.push({ kind: 'comment', text: text.slice(i + 1, stop).replace(/^ /, ''), line });
      i = stop;
    } else if (c === '-' && text[i + 1] === '>') {
      tokens.push({ kind: 'punct', text: '->', line });
      i += 2;
    } else if ('(),:?[]'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.-]+/.exec(text.slice(i));
      if (m === null) throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'word', text: m[0], line });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Parses an interface description (the subset of the grammar the formatter writes, plus free spacing). */
export function parseInterface(text: string): VInterface {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (what: string): never => {
    const t = peek();
    throw new Error(`line ${t?.line ?? 'end'}: expected ${what}, found ${t === undefined ? 'end of text' : JSON.stringify(t.text)}`);
  };
  const expect = (text: string): void => {
    if (peek()?.text !== text || peek()?.kind === 'comment') fail(JSON.stringify(text));
    pos++;
  };
  const word = (pattern: RegExp, what: string): string => {
    const t = peek();
    if (t === undefined || t.kind !== 'word' || !pattern.test(t.text)) return fail(what);
    pos++;
    return t.text;
  };
  const comments = (): string[] => {
    const doc: string[] = [];
    while (peek()?.kind === 'comment') doc.push((tokens[pos++] as Token).text);
    return doc;
  };
  const type = (): VType => {
    const t = peek();
    if (t?.text === '?') {
      pos++;
      return { kind: 'optional', of: type() };
    }
    if (t?.text === '[') {
      pos++;
      if (peek()?.text === ']') {
        pos++;
        return { kind: 'array', of: type() };
      }
      expect('string');
      expect(']');
      return { kind: 'map', of: type() };
    }
    if (t?.text === '(') return structOrEnum();
    const w = word(/^[A-Za-z][A-Za-z0-9]*$/, 'a type');
    if (w === 'bool' || w === 'int' || w === 'float' || w === 'string' || w === 'object') return { kind: w };
    if (!MEMBER_NAME.test(w)) fail('a type name');
    return { kind: 'named', name: w };
  };
  const fieldList = (): VField[] => {
    expect('(');
    const fields: VField[] = [];
    comments();
    while (peek()?.text !== ')') {
      if (fields.length > 0) {
        expect(',');
        comments();
      }
      const name = word(FIELD_NAME, 'a field name');
      expect(':');
      fields.push({ name, type: type() });
      comments();
    }
    expect(')');
    return fields;
  };
  const structOrEnum = (): VType => {
    // An enum is `(a, b)`: a name not followed by ':'.
    const isEnum = tokens[pos + 1]?.kind === 'word' && tokens[pos + 2]?.text !== ':' && tokens[pos + 1]?.text !== ')';
    if (!isEnum) return { kind: 'struct', fields: fieldList() };
    expect('(');
    const values = [word(FIELD_NAME, 'an enum value')];
    while (peek()?.text === ',') {
      pos++;
      values.push(word(FIELD_NAME, 'an enum value'));
    }
    expect(')');
    return { kind: 'enum', values };
  };

  const doc = comments();
  expect('interface');
  const name = word(INTERFACE_NAME, 'an interface name');
  const members: VMember[] = [];
  for (;;) {
    const memberDoc = comments();
    const t = peek();
    if (t === undefined) break;
    if (t.text === 'type') {
      pos++;
      const n = word(MEMBER_NAME, 'a type name');
      const def = structOrEnum();
      if (def.kind !== 'struct' && def.kind !== 'enum') return fail('a struct or an enum');
      members.push({ kind: 'type', name: n, doc: memberDoc, type: def });
    } else if (t.text === 'method') {
      pos++;
      const n = word(MEMBER_NAME, 'a method name');
      const input = fieldList();
      expect('->');
      members.push({ kind: 'method', name: n, doc: memberDoc, input, output: fieldList() });
    } else if (t.text === 'error') {
      pos++;
      const n = word(MEMBER_NAME, 'an error name');
      members.push({ kind: 'error', name: n, doc: memberDoc, fields: fieldList() });
    } else {
      fail('type, method or error');
    }
  }
  return { name, doc, members };
}
