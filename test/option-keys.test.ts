/**
 * rpm-ostree's option keys as the D-Bus shim maps them (src/api/dbus-options.ts): every key
 * rpm-ostree defines that sets a param lands on a real field of its method, and the params it
 * makes pass the method's own validation; refused keys are refused only when they ask for
 * something; unknown keys and wrong types are InvalidArgs naming the key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dbus from 'dbus-next';
import { RPM_OSTREE_OPTION_KEYS } from '../src/api/dbus-options.js';
import { ApiError, ProtocolError } from '../src/api/errors.js';
import { findMethod, type MethodName } from '../src/api/method-table.js';
import { validateParams } from '../src/dispatcher/params-validation.js';
import { applyOptionDict } from '../src/transports/dbus/option-keys.js';

/** A value of rpm-ostree's type that asks for something, valid for this API where it has a syntax. */
function sample(key: string, type: string): unknown {
  const strings: Record<string, string> = {
    'initiating-command-line': 'rpm-ostree upgrade',
    revision: 'a'.repeat(64),
    checksum: 'a'.repeat(64),
    mode: 'check',
    'final-kernel-args': 'root=UUID=1 quiet',
    'register-driver': 'zincati',
    'set-refspec': 'origin:debian/trixie/x86_64',
    'set-revision': 'a'.repeat(64),
    target: 'a'.repeat(64),
    id: 'a-client',
  };
  switch (type) {
    case 'b':
      return true;
    case 's':
      return strings[key] ?? 'x';
    case 'as':
      return key.includes('kernel') || key.endsWith('-if-missing') || key.endsWith('-if-present') ? ['quiet'] : ['hello'];
    default:
      return [];
  }
}

describe("rpm-ostree's option keys", () => {
  it('every key that sets a param makes params the method itself accepts', () => {
    let mapped = 0;
    for (const [method, dicts] of Object.entries(RPM_OSTREE_OPTION_KEYS) as [
      MethodName,
      Record<string, { key: string; type: string; field?: string; notSupported?: string }[]>,
    ][]) {
      const spec = findMethod(method);
      assert.ok(spec !== undefined, method);
      for (const [dict, keys] of Object.entries(dicts)) {
        const nested = method === 'OS.UpdateDeployment';
        for (const k of keys.filter((x) => x.notSupported === undefined)) {
          const params: Record<string, unknown> = nested ? { modifiers: {}, options: {} } : {};
          if (method === 'OS.Deploy') params.revision = 'a'.repeat(64);
          if (method === 'OS.Rebase') params.refspec = 'origin:debian/trixie/x86_64';
          if (method === 'OS.SetInitramfsState') params.regenerate = false;
          if (method === 'OS.FinalizeDeployment' && k.key !== 'checksum') params.checksum = 'a'.repeat(64);
          if (method === 'OS.FinalizeDeployment' && k.key === 'allow-missing-checksum') delete params.checksum;
          applyOptionDict(method, dict, nested, { [k.key]: new dbus.Variant(k.type, sample(k.key, k.type)) }, params);
          assert.doesNotThrow(() => validateParams(spec, params), `${method} ${dict} ${k.key} → ${JSON.stringify(params)}`);
          mapped++;
        }
      }
    }
    assert.ok(mapped > 40, `${mapped} keys`);
  });

  it('a refused key is NotSupported only when it asks for something; unknown keys and wrong types are InvalidArgs naming the key', () => {
    const params = { modifiers: {}, options: {} };
    assert.throws(
      () => applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-modules': new dbus.Variant('as', ['nodejs:20']) }, params),
      (e: ApiError) => e.errorName === 'NotSupported' && /"install-modules"/.test(e.message),
    );
    applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-modules': new dbus.Variant('as', []) }, params);
    applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-local-fileoverride-packages': new dbus.Variant('ah', []) }, params);
    assert.deepEqual(params, { modifiers: {}, options: {} }, 'asking for nothing sets nothing');
    assert.throws(
      () => applyOptionDict('OS.Upgrade', 'options', false, { 'no-such-key': new dbus.Variant('b', true) }, {}),
      (e: ProtocolError) => /unknown options key "no-such-key"/.test(e.message),
    );
    assert.throws(
      () => applyOptionDict('OS.Upgrade', 'options', false, { 'allow-downgrade': new dbus.Variant('s', 'yes') }, {}),
      (e: ProtocolError) => /"allow-downgrade" must be of type b/.test(e.message),
    );
    assert.throws(() => applyOptionDict('OS.Upgrade', 'options', false, { osname: new dbus.Variant('s', 'other') }, {}), /unknown options key "osname"/);
  });

  it('an ah value holds handles into the message\'s descriptors: {"fd": N} references, each naming one of them once', () => {
    const params: Record<string, unknown> = { modifiers: {}, options: {} };
    applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-local-packages': new dbus.Variant('ah', [1, 0]) }, params, 2);
    assert.deepEqual(params.modifiers, { installLocalPackages: [{ fd: 1 }, { fd: 0 }] });
    const spec = findMethod('OS.UpdateDeployment');
    assert.ok(spec !== undefined);
    assert.doesNotThrow(() => validateParams(spec, params));
    const local = (handles: number[], count: number) =>
      applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-local-packages': new dbus.Variant('ah', handles) }, { modifiers: {} }, count);
    assert.throws(
      () => local([2], 2),
      (e: ProtocolError) => /handle 2 is not one of the 2 descriptors/.test(e.message),
    );
    assert.throws(
      () => local([0], 0),
      (e: ProtocolError) => /handle 0 is not one of the 0 descriptors/.test(e.message),
    );
    assert.throws(
      () => local([1, 1], 2),
      (e: ProtocolError) => /handle 1 is named twice/.test(e.message),
    );
    // A refused key says so, whatever its handles.
    assert.throws(
      () =>
        applyOptionDict('OS.UpdateDeployment', 'modifiers', true, { 'install-local-fileoverride-packages': new dbus.Variant('ah', [5]) }, { modifiers: {} }, 1),
      (e: ApiError) => e.errorName === 'NotSupported',
    );
    // This daemon's own PkgChange param, in kebab-case, takes handles the same way.
    const own: Record<string, unknown> = {};
    applyOptionDict('OS.PkgChange', 'options', false, { 'local-packages': new dbus.Variant('ah', [0]) }, own, 1);
    assert.deepEqual(own, { localPackages: [{ fd: 0 }] });
  });
});
