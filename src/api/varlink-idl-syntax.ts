/**
 * The Varlink interface definition language (varlink.org): a small syntax tree and the one
 * canonical text form the project writes. The daemon formats its interfaces with it
 * (GetInterfaceDescription) and the generator writes the same text to interfaces/*.varlink;
 * the parser (src/generators/varlink-idl-parser.ts) reads it back for the tests, and systemd's
 * `varlinkctl validate-idl` checks the files independently.
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
