import { ERROR_PREFIX, type KnownError } from '../../api/errors.js';

/** A JSON-RPC 2.0 `error` object. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: Record<string, unknown>;
}

/**
 * An error's JSON-RPC wire form: `{code, message, data: {...details, name}}`, where `name` is
 * the full name `org.projectatomic.aptostree1.Error.<Name>` (every error carries one to switch on).
 */
export function jsonRpcError(error: KnownError): JsonRpcErrorObject {
  return { code: error.code, message: error.message, data: { ...error.details, name: ERROR_PREFIX + error.errorName } };
}
