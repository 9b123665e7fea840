/**
 * The one error table. Every application error the daemon can answer is declared here once:
 * its short name, its JSON-RPC code (-32000..-32099) and a one-line description. Errors travel
 * by their short name from where they are thrown to the transport, which forms its wire name:
 * JSON-RPC `data.name` and D-Bus `org.projectatomic.aptostree1.Error.<Name>`, Varlink
 * `<interface>.<Name>`.
 */

/** Prefix of every D-Bus error name (and of JSON-RPC `error.data.name`). */
export const ERROR_PREFIX = 'org.projectatomic.aptostree1.Error.';

/** Standard JSON-RPC 2.0 codes; they keep the meaning the specification gives them. */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/** Short name of a standard error (`InvalidParams`); over JSON-RPC it is `data.name` too. */
export type ProtocolErrorName = keyof typeof JsonRpcCode;
type ProtocolErrorCode = (typeof JsonRpcCode)[ProtocolErrorName];

const PROTOCOL_ERROR_NAMES = new Map(Object.entries(JsonRpcCode).map(([name, code]) => [code, name as ProtocolErrorName]));

/** Application errors: name → code and description. Codes never change once released. */
export const ERROR_TABLE = {
  Failed: { code: -32000, doc: 'The operation failed; the message says why.' },
  NotImplemented: { code: -32001, doc: 'The method is declared but its implementation has not landed yet.' },
  InvalidSysroot: { code: -32002, doc: "The sysroot is missing or cannot be loaded; the message is libostree's." },
  NoSuchDeployment: { code: -32003, doc: 'No deployment has the given id or checksum.' },
  NothingToRollback: { code: -32004, doc: 'There is no rollback deployment.' },
  TransactionInProgress: { code: -32005, doc: 'Another transaction is running and the request asked not to queue.' },
  TooLateToCancel: { code: -32006, doc: 'The transaction passed its point of no return and will complete.' },
  Cancelled: { code: -32007, doc: 'The transaction was cancelled; nothing was changed.' },
  NotAuthorized: { code: -32008, doc: 'polkit denied the action the request needs.' },
  AuthorizationUnavailable: { code: -32009, doc: 'polkit could not be asked; only root is served.' },
  PackageNotFound: { code: -32010, doc: 'No package of that name is known to APT.' },
  DependencyProblem: { code: -32011, doc: 'APT cannot satisfy the requested package set.' },
  LayeringLocked: { code: -32012, doc: 'Package layering is locked by the configuration (LockLayering).' },
  InvalidConfig: { code: -32013, doc: 'The configuration file is invalid.' },
  NoSuchTransaction: { code: -32014, doc: 'No transaction has the given id.' },
  NoSuchOS: { code: -32015, doc: 'No stateroot (OS) of that name exists in the sysroot.' },
  MessageTooLarge: { code: -32016, doc: 'A message exceeded the size limit; the connection is closed.' },
  QueueFull: { code: -32017, doc: 'The transaction queue is full.' },
  LimitExceeded: { code: -32018, doc: 'Too many connections, or too many requests in flight for this user.' },
  SignatureInvalid: {
    code: -32020,
    doc: "A pulled commit's GPG signature did not verify against the remote's keyring, or it has none while the remote requires one (gpg-verify); nothing changed.",
  },
  NotSupported: {
    code: -32019,
    doc: 'The request asks for something that has no meaning on Debian (an rpm-ostree option, for example); the message names it and says why.',
  },
} as const satisfies Record<string, { code: number; doc: string }>;

export type ErrorName = keyof typeof ERROR_TABLE;

/** Full D-Bus-style name of an error, e.g. `org.projectatomic.aptostree1.Error.Failed`. */
export function errorFullName(name: ErrorName): string {
  return ERROR_PREFIX + name;
}

/** Extra fields an error carries in `error.data` (besides `name`). */
type ErrorDetails = Record<string, unknown>;

/**
 * An application error. Handlers throw it; each transport turns it into its protocol's error
 * shape. Anything else thrown becomes InternalError in the dispatcher.
 */
export class ApiError extends Error {
  readonly errorName: ErrorName;
  readonly details: ErrorDetails;

  constructor(name: ErrorName, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ApiError';
    this.errorName = name;
    this.details = details;
  }

  get code(): number {
    return ERROR_TABLE[this.errorName].code;
  }
}

/**
 * A protocol-level error with a standard JSON-RPC code (invalid params, unknown method,
 * internal error...). `details` carries machine-readable details such as validation errors.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly errorName: ProtocolErrorName;
  readonly details: ErrorDetails;

  constructor(code: ProtocolErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.errorName = PROTOCOL_ERROR_NAMES.get(code) as ProtocolErrorName;
    this.details = details;
  }
}

/** What the dispatcher answers for anything thrown that is neither an ApiError nor a ProtocolError. */
export function internalError(): ProtocolError {
  return new ProtocolError(JsonRpcCode.InternalError, 'Internal error');
}

/** Every error a transport receives from the dispatcher. */
export type KnownError = ApiError | ProtocolError;
