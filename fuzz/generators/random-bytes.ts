/**
 * Random bytes, and random soups of JSON tokens (closer to what a parser has to think about).
 * Terminator bytes (`\n`, `\0`) are left out of a message: the framing adds them.
 */
import type { Generator } from './generator.js';

const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  '"jsonrpc"',
  '"2.0"',
  '"method"',
  '"id"',
  '"params"',
  'null',
  'true',
  '-',
  '0',
  '1e9',
  '.',
  '\\',
  '\\u',
  'Sysroot.GetOS',
  ' ',
  '\t',
  '\r',
];

function withoutTerminators(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x00) b[i] = 0x20;
  return b;
}

export const randomBytes: Generator = {
  name: 'random-bytes',
  weight: 2,
  generate({ rng }) {
    if (rng.chance(0.5)) return { messages: [withoutTerminators(rng.bytes(rng.logInt(8192)))], variety: 'bytes' };
    const n = rng.logInt(2000);
    const text = Array.from({ length: n }, () => rng.pick(TOKENS)).join('');
    return { messages: [Buffer.from(text)], variety: 'tokens' };
  },
};
