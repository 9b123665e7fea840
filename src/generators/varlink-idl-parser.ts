/**
 * A parser for the Varlink interface text the formatter (src/api/varlink-idl-syntax.ts) writes:
 * a test parses every generated file back and formats it again (it must not change).
 */
import { FIELD_NAME, INTERFACE_NAME, MEMBER_NAME, type VField, type VInterface, type VMember, type VType } from '../api/varlink-idl-syntax.js';

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
