/**
 * Errors are mapped once: the dispatcher (real, with the real polkit authorizer; a read method
 * called by root needs no polkit call) lets ApiError and ProtocolError through and turns
 * anything else into InternalError, logging the cause once; the JSON-RPC transport forms the
 * wire name from the short name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, ProtocolError } from '../src/api/errors.js';
import { PolkitAuthorizer } from '../src/authorization/polkit-authorizer.js';
import type { Logger } from '../src/util/logger.js';
import type { CallContext } from '../src/dispatcher/call-context.js';
import { Dispatcher } from '../src/dispatcher/dispatcher.js';
import type { HandlerTable } from '../src/dispatcher/handlers.js';
import { jsonRpcError } from '../src/transports/jsonrpc/error-object.js';

/** A Logger that keeps its error records. */
function recordingLog(): Logger & { errors: { message: string; detail: unknown }[] } {
  const errors: { message: string; detail: unknown }[] = [];
  return { errors, error: (message, detail) => errors.push({ message, detail }), warn: () => {}, info: () => {}, debug: () => {} };
}

const root: CallContext = {
  transport: 'jsonrpc',
  peer: { pid: process.pid, uid: 0, gid: 0 },
  transactionEvent: () => {},
  signal: new AbortController().signal,
};

function dispatcherWith(handlers: HandlerTable, log: Logger): { dispatcher: Dispatcher; close: () => void } {
  const authorizer = new PolkitAuthorizer(() => false, log);
  return { dispatcher: new Dispatcher(handlers, {}, authorizer, log), close: () => authorizer.close() };
}

describe('errors mapped once', () => {
  it('the dispatcher turns an unexpected exception into InternalError and logs its cause once', async () => {
    const log = recordingLog();
    const bug = new TypeError('cannot read properties of undefined');
    const { dispatcher, close } = dispatcherWith(
      {
        'Sysroot.GetOS': () => {
          throw bug;
        },
      },
      log,
    );
    try {
      await assert.rejects(dispatcher.call('Sysroot.GetOS', {}, root), (e: unknown) => {
        assert.ok(e instanceof ProtocolError);
        assert.equal(e.errorName, 'InternalError');
        assert.equal(e.code, -32603);
        assert.equal(e.message, 'Internal error', 'the cause is not sent');
        return true;
      });
      assert.equal(log.errors.length, 1);
      assert.equal(log.errors[0].detail, bug);
      // A prepared call (the D-Bus shim's transaction objects) maps its run's errors the same way.
      const run = await dispatcher.prepare('Sysroot.GetOS', {}, root);
      await assert.rejects(run(), (e: unknown) => e instanceof ProtocolError && e.errorName === 'InternalError');
      assert.equal(log.errors.length, 2);
    } finally {
      close();
    }
  });

  it('ApiError and ProtocolError reach the transport as they are, unlogged', async () => {
    const log = recordingLog();
    const refusal = new ApiError('NoSuchOS', 'No stateroot x', { osname: 'x' });
    const { dispatcher, close } = dispatcherWith(
      {
        'Sysroot.GetOS': () => {
          throw refusal;
        },
      },
      log,
    );
    try {
      await assert.rejects(dispatcher.call('Sysroot.GetOS', {}, root), (e: unknown) => e === refusal);
      await assert.rejects(dispatcher.call('Sysroot.Nope', {}, root), (e: unknown) => e instanceof ProtocolError && e.errorName === 'MethodNotFound');
      await assert.rejects(dispatcher.call('Sysroot.GetOS', { name: 5 }, root), (e: unknown) => e instanceof ProtocolError && e.errorName === 'InvalidParams');
      assert.equal(log.errors.length, 0);
    } finally {
      close();
    }
  });

  it('the JSON-RPC wire form: data.name is the full name made from the short one, beside the details', () => {
    assert.deepEqual(jsonRpcError(new ApiError('NoSuchOS', 'No stateroot x', { osname: 'x' })), {
      code: -32015,
      message: 'No stateroot x',
      data: { osname: 'x', name: 'org.projectatomic.aptostree1.Error.NoSuchOS' },
    });
    assert.deepEqual(jsonRpcError(new ProtocolError(-32602, 'Invalid params', { method: 'OS.Search' })), {
      code: -32602,
      message: 'Invalid params',
      data: { method: 'OS.Search', name: 'org.projectatomic.aptostree1.Error.InvalidParams' },
    });
  });
});
