/**
 * Hostile input: every string parameter of every method has a syntax, and values that cannot
 * be valid there (option-looking strings, shell syntax, path traversal, control characters)
 * are refused with -32602 before anything runs. Nothing is executed or created.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METHODS } from '../src/api/method-table.js';
import type { AnyType, Field } from '../src/api/schema-builder.js';
import * as P from '../src/api/types/patterns.js';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

/** A valid value for each syntax, to fill the fields a case does not attack. */
const VALID = new Map<AnyType, unknown>([
  [P.PackageSpec, 'hello'],
  [P.PackageName, 'hello'],
  [P.SearchTerm, 'hello'],
  [P.Refspec, 'origin:debian/bookworm/x86_64'],
  [P.Revision, '12.2'],
  [P.Checksum, 'a'.repeat(64)],
  [P.OsName, 'debian'],
  [P.OsNameOrDefault, ''],
  [P.DeploymentId, `debian-${'a'.repeat(64)}.0`],
  [P.TransactionId, '00000000-0000-4000-8000-000000000000'],
  [P.KernelArg, 'quiet'],
  [P.KernelCmdline, 'root=UUID=1 quiet'],
  [P.InitramfsArg, '--add=foo'],
  [P.ClientName, 'test-client'],
  [P.CommandLineText, 'apt-ostree upgrade'],
  [P.EtcPath, '/etc/hostname'],
]);

/** Syntaxes where some of the hostile strings are legitimate values (they reach no tool as options). */
const FREE_FORM = new Set<AnyType>([P.KernelArg, P.KernelCmdline, P.InitramfsArg, P.ClientName, P.CommandLineText, P.EtcPath]);

const unwrap = (f: Field): AnyType => (f.kind === 'optional' ? f.inner : f);
const resolve = (t: AnyType): AnyType => (t.kind === 'ref' ? resolve(t.target) : t.kind === 'nullable' ? resolve(t.inner) : t);

function sample(type: AnyType): unknown {
  if (VALID.has(type)) return VALID.get(type);
  const t = resolve(type);
  if (VALID.has(t)) return VALID.get(t);
  switch (t.kind) {
    case 'string':
      throw new Error(`a string parameter without a syntax: ${t.doc ?? '(no doc)'}`);
    case 'enum':
      return t.values[0];
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return 1;
    case 'array':
      return [sample(t.items)];
    case 'object':
      return Object.fromEntries(
        Object.entries(t.props)
          .filter(([, f]) => f.kind !== 'optional')
          .map(([k, f]) => [k, sample(unwrap(f))]),
      );
    default:
      return {};
  }
}

/** Every string field of a params object, as a path and its syntax (arrays: their items). */
function stringFields(type: AnyType, path: string[] = []): { path: string[]; syntax: AnyType; inArray: boolean }[] {
  const t = resolve(type);
  if (t.kind === 'object') {
    return Object.entries(t.props).flatMap(([k, f]) => stringFields(unwrap(f), [...path, k]));
  }
  if (t.kind === 'array') {
    return stringFields(t.items, path).map((s) => ({ ...s, inArray: true }));
  }
  if (t.kind === 'string') return [{ path, syntax: VALID.has(type) ? type : t, inArray: false }];
  return [];
}

describe('hostile input', () => {
  const dir = tempSysrootDir();
  let daemon: DaemonHandle;
  let client: JsonRpcClient;
  let sysroot: string;
  const marker = join(dir, 'pwned');
  const HOSTILE = ['-oAPT::Get::Foo=1', '--root=/', `$(touch ${marker})`, '../../etc/shadow', 'a\nb', 'pkg;rm -rf /', 'x\u0000y', ' leading', '`touch x`'];

  before(async () => {
    sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    daemon = await startDaemon({ sysroot });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
  });

  it('every string parameter of every method has a syntax (an enum or a pattern)', () => {
    for (const m of METHODS) {
      for (const field of stringFields(m.params)) {
        const syntax = resolve(field.syntax);
        assert.ok(VALID.has(field.syntax) || (syntax.kind === 'string' && syntax.pattern !== undefined), `${m.name} ${field.path.join('.')}`);
      }
    }
  });

  it('refuses each hostile string in each parameter where it cannot be valid, and runs nothing', async () => {
    const statusBefore = ostreeAdminStatus(sysroot);
    let refused = 0;
    for (const m of METHODS) {
      const base = sample(m.params) as Record<string, unknown>;
      for (const field of stringFields(m.params)) {
        for (const hostile of HOSTILE) {
          const syntax = field.syntax;
          const pattern = (resolve(syntax) as { pattern?: string }).pattern;
          // In free-form syntaxes (kernel arguments...) only strings that break their syntax are refused.
          if (FREE_FORM.has(syntax) && pattern !== undefined && new RegExp(pattern, 'u').test(hostile)) continue;
          const params = structuredClone(base);
          let target = params as Record<string, unknown>;
          for (const key of field.path.slice(0, -1)) {
            target[key] ??= {};
            target = target[key] as Record<string, unknown>;
          }
          target[field.path[field.path.length - 1]] = field.inArray ? [hostile] : hostile;
          await assert.rejects(
            client.call(m.name, params),
            (e: RemoteError) => {
              assert.equal(e.code, -32602, `${m.name} ${field.path.join('.')} = ${JSON.stringify(hostile)}: ${e.message}`);
              return true;
            },
            `${m.name} ${field.path.join('.')} = ${JSON.stringify(hostile)} was accepted`,
          );
          refused++;
        }
      }
    }
    assert.ok(refused > 200, `${refused} cases`);
    assert.equal(existsSync(marker), false, 'no shell ever ran');
    assert.deepEqual(readdirSync(dir).sort(), ['sysroot'], 'nothing was created');
    assert.deepEqual(ostreeAdminStatus(sysroot), statusBefore);
    const history = await client.call<{ transactions: unknown[] }>('Transaction.History', {});
    assert.equal(history.transactions.length, 0, 'no transaction was started');
  });
});
