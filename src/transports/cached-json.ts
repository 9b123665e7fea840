/**
 * JSON.stringify that reuses the text of frozen objects. The sysroot snapshot is deep-frozen
 * and shared by every read until the sysroot changes, so its deployments are serialized once
 * per change instead of once per request. Output is identical to JSON.stringify's.
 */
const cache = new WeakMap<object, string>();

export function stringifyCached(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Object.isFrozen(value)) {
    let text = cache.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      cache.set(value, text);
    }
    return text;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value);
  if (Array.isArray(value)) {
    return '[' + value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : stringifyCached(v))).join(',') + ']';
  }
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(JSON.stringify(key) + ':' + stringifyCached(v));
  }
  return '{' + parts.join(',') + '}';
}
