import type { AnyType, Field } from '../api/schema-builder.js';
import type { ValidationIssue } from './validation-issue.js';

/**
 * The first array in `value` longer than its type's `maxItems`, as the validator would report
 * it; null when there is none. Checked before the validator runs: it reports one problem per
 * bad item of an array, however long, and the half million a 1 MiB message can hold took it
 * ~120 MB. The walk follows the type, so it never goes deeper than the schema.
 */
export function overlongArray(field: Field, value: unknown, path = ''): ValidationIssue | null {
  const type: AnyType = field.kind === 'optional' ? field.inner : field;
  switch (type.kind) {
    case 'ref':
      return overlongArray(type.target, value, path);
    case 'nullable':
      return overlongArray(type.inner, value, path);
    case 'array': {
      if (!Array.isArray(value)) return null;
      if (type.maxItems !== undefined && value.length > type.maxItems) {
        const limit = type.maxItems;
        return { path: path === '' ? '/' : path, message: `must NOT have more than ${limit} items`, keyword: 'maxItems', params: { limit } };
      }
      for (let i = 0; i < value.length; i++) {
        const issue = overlongArray(type.items, value[i], `${path}/${i}`);
        if (issue !== null) return issue;
      }
      return null;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      for (const [key, sub] of Object.entries(type.props)) {
        if (!Object.hasOwn(value, key)) continue;
        const issue = overlongArray(sub, (value as Record<string, unknown>)[key], `${path}/${key}`);
        if (issue !== null) return issue;
      }
      return null;
    }
    default:
      return null;
  }
}
