/**
 * Varlink on top of the dispatcher (varlink.org): `org.varlink.service` (GetInfo,
 * GetInterfaceDescription) and the generated interfaces `org.projectatomic.aptostree1.Sysroot`,
 * `.OS`, `.Transaction`. The same validation, authorization and transactions as JSON-RPC; only
 * the shapes differ: a transaction method answers `{transaction, result}` at the end, and with
 * `more` first streams `{transaction, event}` replies with `continues: true`.
 */
import { ApiError, type ErrorName, type KnownError } from '../../api/errors.js';
import type { InterfaceName } from '../../api/method.js';
import { findMethod } from '../../api/method-table.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import { errorsOf, streams, VARLINK_INTERFACES, varlinkDescription, varlinkInterfaceName } from '../../api/varlink-idl.js';
import { PRODUCT_VERSION } from '../../generated/version.js';

/** One Varlink call as received. */
export interface VarlinkCall {
  method: string;
  parameters?: Record<string, unknown>;
  more?: boolean;
  oneway?: boolean;
  /** Protocol upgrade: not offered (the connection is closed). */
  upgrade?: boolean;
}

/** One reply: `{parameters, continues?}` or `{error, parameters}`. */
export type VarlinkReply = { parameters: Record<string, unknown>; continues?: boolean } | { error: string; parameters: Record<string, unknown> };

const SERVICE = 'org.varlink.service';

/** The org.varlink.service interface, as the Varlink specification defines it. */
const SERVICE_DESCRIPTION = `# The Varlink Service Interface is provided by every varlink service. It
# describes the service and the interfaces it implements.
interface org.varlink.service

# Get a list of all the interfaces a service provides and information
# about the implementation.
method GetInfo() -> (
  vendor: string,
  product: string,
  version: string,
  url: string,
  interfaces: []string
)

# Get the description of an interface that is implemented by this service.
method GetInterfaceDescription(interface: string) -> (description: string)

# The requested interface was not found.
error InterfaceNotFound (interface: string)

# The requested method was not found
error MethodNotFound (method: string)

# The interface defines the requested method, but the service does not
# implement it.
error MethodNotImplemented (method: string)

# One of the passed parameters is invalid.
error InvalidParameter (parameter: string)

# Client is denied access
error PermissionDenied ()

# Method is expected to be called with 'more' set to true, but wasn't
error ExpectedMore ()
`;

function serviceError(name: string, parameters: Record<string, unknown> = {}): VarlinkReply {
  return { error: `${SERVICE}.${name}`, parameters };
}

/** The parameter a validation error names (`/name` → `name`, required → the missing one). */
function invalidParameter(data: Record<string, unknown>): string {
  const first = (data.errors as { path?: string; keyword?: string; params?: Record<string, unknown> }[] | undefined)?.[0];
  if (first === undefined) return '';
  if (first.keyword === 'required' && typeof first.params?.missingProperty === 'string') return first.params.missingProperty;
  if (first.keyword === 'additionalProperties' && typeof first.params?.additionalProperty === 'string') return first.params.additionalProperty;
  return (first.path ?? '').replace(/^\//, '').split('/')[0];
}

export class VarlinkEndpoint {
  private descriptions: Map<string, string> | null = null;
  private info: Record<string, unknown> | null = null;
  private readonly declared = new Map<string, Set<ErrorName>>();

  constructor(private readonly dispatcher: Dispatcher) {}

  /** Interface name → description (generated once, on first use). */
  private interfaceDescriptions(): Map<string, string> {
    this.descriptions ??= new Map([
      [SERVICE, SERVICE_DESCRIPTION],
      ...VARLINK_INTERFACES.map((i): [string, string] => [varlinkInterfaceName(i), varlinkDescription(i)]),
    ]);
    return this.descriptions;
  }

  /** Answers one call; `reply` gets every reply in order (none for `oneway`). */
  async handle(call: VarlinkCall, ctx: Pick<CallContext, 'peer' | 'signal' | 'fds'>, reply: (r: VarlinkReply) => void): Promise<void> {
    const send = (r: VarlinkReply): void => {
      if (call.oneway !== true) reply(r);
    };
    const dot = call.method.lastIndexOf('.');
    const iface = call.method.slice(0, Math.max(0, dot));
    const member = call.method.slice(dot + 1);
    const params = call.parameters ?? {};
    if (iface === SERVICE) return send(this.service(member, params, call.method));
    if (!this.interfaceDescriptions().has(iface)) return send(serviceError('InterfaceNotFound', { interface: iface }));
    const short = iface.slice(iface.lastIndexOf('.') + 1) as InterfaceName;
    const name = `${short}.${member}`;
    const method = findMethod(name);
    if (method === undefined) return send(serviceError('MethodNotFound', { method: call.method }));
    const streaming = streams(method);
    if (method.name === 'Transaction.Watch' && call.more !== true) return send(serviceError('ExpectedMore'));
    const callCtx: CallContext = {
      ...ctx,
      transport: 'varlink',
      transactionEvent: (transaction, { type, ...fields }) => {
        if (streaming && call.more === true) send({ parameters: { transaction, event: { type, ...fields } }, continues: true });
      },
    };
    let result: Record<string, unknown>;
    try {
      result = (await this.dispatcher.call(name, params, callCtx)) as Record<string, unknown>;
    } catch (error) {
      return send(this.errorReply(short, error as KnownError));
    }
    if (!streaming) return send({ parameters: result });
    const transaction = method.name === 'Transaction.Watch' ? (result.transaction as { id: string }).id : result.transaction;
    send({ parameters: { transaction, result } });
  }

  private service(member: string, params: Record<string, unknown>, full: string): VarlinkReply {
    if (member === 'GetInfo') {
      this.info ??= {
        vendor: 'The apt-ostree project',
        product: 'apt-ostreed',
        version: PRODUCT_VERSION,
        url: 'man:apt-ostreed(8)',
        interfaces: [...this.interfaceDescriptions().keys()],
      };
      return { parameters: this.info };
    }
    if (member === 'GetInterfaceDescription') {
      if (typeof params.interface !== 'string') return serviceError('InvalidParameter', { parameter: 'interface' });
      const description = this.interfaceDescriptions().get(params.interface);
      return description === undefined ? serviceError('InterfaceNotFound', { interface: params.interface }) : { parameters: { description } };
    }
    return serviceError('MethodNotFound', { method: full });
  }

  /** An error's Varlink form: a service error, or an error of the interface (Failed when it does not declare that one). */
  private errorReply(iface: InterfaceName, error: KnownError): VarlinkReply {
    if (error instanceof ApiError) {
      let declared = this.declared.get(iface);
      if (declared === undefined) this.declared.set(iface, (declared = new Set(errorsOf(iface))));
      const name = declared.has(error.errorName) ? error.errorName : 'Failed';
      const data = name === error.errorName ? error.details : { ...error.details, name: error.errorName };
      return { error: `${varlinkInterfaceName(iface)}.${name}`, parameters: { message: error.message, data } };
    }
    switch (error.errorName) {
      case 'InvalidParams':
        return serviceError('InvalidParameter', { parameter: invalidParameter(error.details) });
      case 'MethodNotFound':
        return serviceError('MethodNotFound', { method: String(error.details.method ?? '') });
      default:
        // InternalError (the dispatcher logged its cause): the interface's Failed, without details.
        return { error: `${varlinkInterfaceName(iface)}.Failed`, parameters: { message: error.message } };
    }
  }
}
