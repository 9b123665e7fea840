import { ProtocolError, JsonRpcCode } from '../api/errors.js';
import type { AnyMethod } from '../api/method-table.js';
import * as validators from '../generated/validators.js';
import { overlongArray } from './overlong-array.js';
import type { ValidationIssue } from './validation-issue.js';

export type { ValidationIssue };

/** A precompiled ajv validator as ajv standalone emits it. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null;
}

const table = validators as unknown as Record<string, CompiledValidator>;

/**
 * Problems listed in a -32602 error at most. A 1 MiB message can hold half a million bad
 * array items, one problem each: listing them all made the reply ~70 times the request.
 */
export const MAX_REPORTED_ISSUES = 50;

/**
 * Checks a method's params against its precompiled schema; throws -32602 with the problems
 * (the first {@link MAX_REPORTED_ISSUES}) in `data.errors` (path, message, keyword) when they do not match.
 */
export function validateParams(method: AnyMethod, params: unknown): void {
  const name = method.name;
  const validate = table['params_' + name.replace('.', '_')];
  if (validate === undefined) throw new Error(`no precompiled validator for ${name}; run npm run generate`);
  const overlong = overlongArray(method.params, params);
  if (overlong === null && validate(params)) return;
  const all =
    overlong !== null
      ? [overlong]
      : (validate.errors ?? []).map((e) => ({
          path: e.instancePath === '' ? '/' : e.instancePath,
          message: e.message ?? e.keyword,
          keyword: e.keyword,
          params: e.params,
        }));
  const issues: ValidationIssue[] = all.slice(0, MAX_REPORTED_ISSUES);
  const omitted = all.length - issues.length;
  const summary = issues.map((i) => describeIssue(i)).join('; ') + (omitted > 0 ? `; and ${omitted} more` : '');
  throw new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params for ${name}: ${summary}`, {
    method: name,
    errors: issues,
  });
}

function describeIssue(issue: ValidationIssue): string {
  if (issue.keyword === 'additionalProperties') {
    return `${issue.path}: unknown field "${String(issue.params.additionalProperty)}"`;
  }
  return `${issue.path}: ${issue.message}`;
}
