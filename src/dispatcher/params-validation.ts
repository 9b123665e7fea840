import { ProtocolError, JsonRpcCode } from '../api/errors.js';
import * as validators from '../generated/validators.js';

/** A precompiled ajv validator as ajv standalone emits it. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null;
}

const table = validators as unknown as Record<string, CompiledValidator>;

/** One validation failure as reported in `error.data.errors`. */
export interface ValidationIssue {
  path: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

/**
 * Checks a method's params against its precompiled schema; throws -32602 with every problem
 * in `data.errors` (path, message, keyword) when they do not match.
 */
export function validateParams(method: string, params: unknown): void {
  const validate = table['params_' + method.replace('.', '_')];
  if (validate === undefined) throw new Error(`no precompiled validator for ${method}; run npm run generate`);
  if (validate(params)) return;
  const issues: ValidationIssue[] = (validate.errors ?? []).map((e) => ({
    path: e.instancePath === '' ? '/' : e.instancePath,
    message: e.message ?? e.keyword,
    keyword: e.keyword,
    params: e.params,
  }));
  const summary = issues.map((i) => describeIssue(i)).join('; ');
  throw new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params for ${method}: ${summary}`, {
    method,
    errors: issues,
  });
}

function describeIssue(issue: ValidationIssue): string {
  if (issue.keyword === 'additionalProperties') {
    return `${issue.path}: unknown field "${String(issue.params.additionalProperty)}"`;
  }
  return `${issue.path}: ${issue.message}`;
}
