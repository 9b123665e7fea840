/**
 * JSON values of the API as D-Bus dictionaries (a{sv}), the way rpm-ostree's clients read
 * them: camelCase keys become kebab-case (`baseChecksum` → `base-checksum`), a few keys are
 * renamed (docs/design-decisions.md: `layeredPackages` → `packages`), null values are left out (a{sv}
 * cannot carry them), integers are `i` except timestamps (`t`), nested objects a{sv}, arrays
 * of strings `as`, arrays of objects aa{sv}.
 */
import dbus from 'dbus-next';
import { optionKey } from '../../api/dbus-signatures.js';

const RENAMES: Record<string, string> = { layeredPackages: 'packages' };
const UNSIGNED_64 = new Set(['timestamp']);

export type VariantDict = Record<string, dbus.Variant>;

function variant(key: string, value: unknown): dbus.Variant | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return new dbus.Variant('s', value);
  if (typeof value === 'boolean') return new dbus.Variant('b', value);
  if (typeof value === 'number') {
    if (UNSIGNED_64.has(key)) return new dbus.Variant('t', BigInt(Math.max(0, Math.trunc(value))));
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? new dbus.Variant('i', value) : new dbus.Variant('d', value);
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return new dbus.Variant('as', value);
    return new dbus.Variant(
      'aa{sv}',
      value.map((v) => toVariantDict(v as Record<string, unknown>)),
    );
  }
  if (typeof value === 'object') return new dbus.Variant('a{sv}', toVariantDict(value as Record<string, unknown>));
  return null;
}

export function toVariantDict(o: Record<string, unknown> | null | undefined): VariantDict {
  const out: VariantDict = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    const converted = variant(k, v);
    if (converted !== null) out[RENAMES[k] ?? optionKey(k)] = converted;
  }
  return out;
}
