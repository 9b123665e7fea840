/**
 * `a{sv}` option dictionaries for libostree, built as GVariant text and parsed by
 * g_variant_parse: one FFI call instead of a builder call per entry, and no variadic
 * g_variant_new.
 */
import { takeError, type GErrorOut } from '../glib.js';
import type { Ptr } from '../koffi.js';
import { writeFfi } from './ffi.js';

/** One typed option value. */
export type OptionValue =
  { type: 's'; value: string } | { type: 'as'; value: string[] } | { type: 'i'; value: number } | { type: 'u'; value: number } | { type: 'b'; value: boolean };

/** A GVariant text string literal: single-quoted, backslash escapes, non-ASCII as \uXXXX. */
function gvariantString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xffff) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + "'";
}

/** The GVariant text of one typed value. */
export function valueText(v: OptionValue): string {
  switch (v.type) {
    case 's':
      return gvariantString(v.value);
    case 'as':
      return v.value.length === 0 ? '@as []' : `[${v.value.map(gvariantString).join(', ')}]`;
    case 'i':
      if (!Number.isInteger(v.value) || v.value < -(2 ** 31) || v.value >= 2 ** 31) throw new RangeError(`not an int32: ${v.value}`);
      return `int32 ${v.value}`;
    case 'u':
      if (!Number.isInteger(v.value) || v.value < 0 || v.value >= 2 ** 32) throw new RangeError(`not a uint32: ${v.value}`);
      return `uint32 ${v.value}`;
    case 'b':
      return v.value ? 'true' : 'false';
  }
}

/** The GVariant text of an `a{sv}` holding `options`. */
export function optionsText(options: Record<string, OptionValue>): string {
  const entries = Object.entries(options).map(([k, v]) => `${gvariantString(k)}: <${valueText(v)}>`);
  return entries.length === 0 ? '@a{sv} {}' : `{${entries.join(', ')}}`;
}

/** A new (sunk, owned: g_variant_unref) `a{sv}` GVariant holding `options`. */
export function newOptionsVariant(options: Record<string, OptionValue>): Ptr {
  const ffi = writeFfi();
  const text = optionsText(options);
  const err: GErrorOut = [null];
  const v = ffi.g_variant_parse(null, text, null, null, err);
  if (v === null) throw new Error(`g_variant_parse(${text}): ${takeError(err)?.message ?? 'failed'}`);
  return ffi.g_variant_ref_sink(v);
}
