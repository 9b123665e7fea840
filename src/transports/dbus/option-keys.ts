/**
 * An `a{sv}` options or modifiers dictionary of a D-Bus call → params fields, by the table of
 * rpm-ostree's keys (api/dbus-options.ts): a key of rpm-ostree's sets its field (its D-Bus
 * type checked), or is refused with NotSupported naming it when it asks for something that
 * means nothing here; the kebab-case name of one of the method's own fields sets that field;
 * anything else is InvalidArgs naming the key. An `ah` value (rpm-ostree's local packages)
 * holds handles, indices into the descriptors the message carried: each becomes the
 * `{"fd": N}` reference the socket's params use (docs/fd-passing.md), checked to name one of
 * them, once.
 */
import type dbus from 'dbus-next';
import { asksForNothing, RPM_OSTREE_OPTION_KEYS } from '../../api/dbus-options.js';
import { ApiError, JsonRpcCode, ProtocolError } from '../../api/errors.js';
import { findMethod, type MethodName } from '../../api/method-table.js';
import type { Field, Props } from '../../api/schema-builder.js';

const camel = (key: string): string => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The fields of the object type at `path` of a schema (through optional, nullable and named types), or null. */
function objectAt(type: Field, path: readonly string[]): Props | null {
  let t: Field = type;
  for (;;) {
    if (t.kind === 'optional' || t.kind === 'nullable') t = t.inner;
    else if (t.kind === 'ref') t = t.target;
    else break;
  }
  if (t.kind !== 'object') return null;
  if (path.length === 0) return t.props;
  const next = t.props[path[0]];
  return next === undefined ? null : objectAt(next, path.slice(1));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = target;
  for (const p of parts.slice(0, -1)) {
    const inner = (o[p] ??= {}) as Record<string, unknown>;
    o = inner;
  }
  o[parts[parts.length - 1]] = value;
}

const invalid = (message: string): ProtocolError => new ProtocolError(JsonRpcCode.InvalidParams, message);

/** The handles of an `ah` value as `{"fd": N}` references; each must name a descriptor of the message, once. */
function fileRefs(member: string, key: string, handles: unknown, fdCount: number, used: Set<number>): { fd: number }[] {
  return (handles as number[]).map((h) => {
    if (h >= fdCount) throw invalid(`${member}: option "${key}": handle ${h} is not one of the ${fdCount} descriptors the message carried`);
    if (used.has(h)) throw invalid(`${member}: option "${key}": handle ${h} is named twice`);
    used.add(h);
    return { fd: h };
  });
}

/**
 * Adds the entries of `dict` (the D-Bus argument `argName` of `method`) to `params`. `nested`:
 * the dictionary is a params field of its own (UpdateDeployment's `modifiers`, `options`), else
 * its keys are fields of the params themselves.
 */
export function applyOptionDict(
  method: MethodName,
  argName: string,
  nested: boolean,
  dict: Record<string, dbus.Variant>,
  params: Record<string, unknown>,
  fdCount = 0,
  usedHandles = new Set<number>(),
): void {
  const spec = findMethod(method);
  const member = method.slice(method.indexOf('.') + 1);
  const known = RPM_OSTREE_OPTION_KEYS[method]?.[argName] ?? [];
  const own = spec === undefined ? null : objectAt(spec.params, nested ? [argName] : []);
  for (const [key, variant] of Object.entries(dict)) {
    const raw = variant.value as unknown;
    const value = (): unknown => (variant.signature === 'ah' ? fileRefs(member, key, raw, fdCount, usedHandles) : raw);
    const rule = known.find((k) => k.key === key);
    if (rule !== undefined) {
      if (variant.signature !== rule.type) throw invalid(`${member}: option "${key}" must be of type ${rule.type}, not ${variant.signature}`);
      if (rule.notSupported !== undefined) {
        if (asksForNothing(raw)) continue;
        throw new ApiError('NotSupported', `${member}: option "${key}" is not supported: ${rule.notSupported}`, { option: key });
      }
      // An empty string is no value (rpm-ostree's clients leave such keys out).
      if (raw === '') continue;
      setPath(params, rule.field ?? (nested ? `${argName}.${camel(key)}` : camel(key)), value());
      continue;
    }
    const field = camel(key);
    if (own !== null && /^[a-z][a-z0-9-]*$/.test(key) && Object.hasOwn(own, field) && !(nested === false && field === 'osname')) {
      setPath(params, nested ? `${argName}.${field}` : field, value());
      continue;
    }
    const names = known.map((k) => k.key);
    throw invalid(`${member}: unknown ${argName} key "${key}"${names.length > 0 ? ` (rpm-ostree's keys here: ${names.join(', ')})` : ''}`);
  }
}
