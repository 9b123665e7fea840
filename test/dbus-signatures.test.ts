/**
 * The D-Bus projection of the method table (src/api/dbus-signatures.ts) is consistent with it:
 * every positional argument names a params field of a matching type, every out-argument a
 * result field, the options a{sv} carries the rest; the generated introspection XML and bus
 * policy are well-formed XML (python3's parser).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DBUS_SIGNATURES, EMPTY_ONLY, optionKey, type DbusArg } from '../src/api/dbus-signatures.js';
import { findMethod, type MethodName } from '../src/api/method-table.js';
import type { AnyType, Field, SomeObjectType } from '../src/api/schema-builder.js';
import { REPO_ROOT } from './support/repo-root.js';

const unwrap = (f: Field | AnyType): AnyType => {
  let t: Field | AnyType = f;
  for (;;) {
    if (t.kind === 'optional' || t.kind === 'nullable') t = t.inner;
    else if (t.kind === 'ref') t = t.target;
    else return t;
  }
};

/** Whether a GVariant signature can carry values of schema type `t`. */
function carries(sig: string, t: AnyType): boolean {
  switch (sig) {
    case 's':
    case 'o':
      return t.kind === 'string' || t.kind === 'enum';
    case 'b':
      return t.kind === 'boolean';
    case 'as':
      return t.kind === 'array' && ['string', 'enum'].includes(unwrap(t.items).kind);
    case 'a{sv}':
      return t.kind === 'object' || t.kind === 'freeObject';
    case 'aa{sv}':
      return t.kind === 'array' && unwrap(t.items).kind === 'object';
    case 'a(sua{sv})':
      return t.kind === 'array' && unwrap(t.items).kind === 'object';
    default:
      return false;
  }
}

describe('the D-Bus projection of the method table', () => {
  it('names real params and result fields with fitting signatures; options carries the rest', () => {
    for (const [name, sig] of Object.entries(DBUS_SIGNATURES)) {
      const method = findMethod(name as MethodName);
      assert.ok(method !== undefined, name);
      if (!('in' in sig)) continue;
      const params: Record<string, Field> = method.params.props;
      // EMPTY_ONLY: an rpm-ostree argument with no param here (accepted empty).
      const positional = sig.in.filter((a): a is DbusArg => a !== 'options' && a.field !== EMPTY_ONLY);
      for (const a of positional) {
        assert.ok(a.field in params, `${name}: in-arg ${a.name} → params.${a.field}`);
        assert.ok(carries(a.type, unwrap(params[a.field])), `${name}: ${a.type} cannot carry params.${a.field}`);
      }
      const rest = Object.keys(params).filter((k) => !positional.some((a) => a.field === k) && k !== 'osname' && k !== 'detach');
      if (!sig.in.includes('options'))
        assert.deepEqual(
          rest.filter((k) => !['noQueue', 'allowInteractiveAuthentication', 'reboot', 'initiatingCommandLine'].includes(k)),
          [],
          `${name}: params no argument carries`,
        );
      const result = unwrap(method.result) as SomeObjectType;
      for (const a of sig.out) {
        assert.ok(a.field in result.props, `${name}: out-arg ${a.name} → result.${a.field}`);
        if (a.type !== 's' || a.field !== 'transaction')
          assert.ok(carries(a.type, unwrap(result.props[a.field])), `${name}: ${a.type} cannot carry result.${a.field}`);
      }
      if (method.kind === 'transaction')
        assert.ok(
          sig.out.some((a) => a.name === 'transaction_address'),
          `${name} answers its transaction address`,
        );
    }
  });

  it("options use rpm-ostree's kebab-case keys", () => {
    assert.equal(optionKey('allowDowngrade'), 'allow-downgrade');
    assert.equal(optionKey('reboot'), 'reboot');
    assert.equal(optionKey('cacheOnly'), 'cache-only');
    assert.equal(optionKey('lockFinalization'), 'lock-finalization');
  });

  it('the introspection XML and the bus policy are well-formed', () => {
    for (const f of ['org.projectatomic.aptostree1.xml', 'org.projectatomic.aptostree1.conf']) {
      execFileSync('/usr/bin/python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', join(REPO_ROOT, 'interfaces', f)]);
    }
  });
});
