import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedProperties } from '../src/transports/dbus/cached-properties.js';

describe("the D-Bus shim's cached properties", () => {
  it('reads once, and again after clear() or when a source is another object', () => {
    let reads = 0;
    let snapshot = { deployments: ['a'] };
    const config = { automaticUpdatePolicy: 'none' };
    const cached = new CachedProperties(
      () => ({ read: ++reads, deployments: snapshot.deployments }),
      () => [snapshot, config],
    );
    assert.deepEqual(cached.get(), { read: 1, deployments: ['a'] });
    assert.equal(cached.get().read, 1, 'a second property read reuses the values');
    cached.clear();
    assert.equal(cached.get().read, 2, 'a transaction started or finished');
    snapshot = { deployments: ['b', 'a'] };
    assert.deepEqual(cached.get(), { read: 3, deployments: ['b', 'a'] }, 'the sysroot changed outside a transaction');
    assert.equal(cached.get().read, 3);
  });

  it('a read that fails is not kept: the next read tries again', () => {
    let fail = true;
    const cached = new CachedProperties(
      () => {
        if (fail) throw new Error('InvalidSysroot');
        return { ok: true };
      },
      () => [],
    );
    assert.throws(() => cached.get(), /InvalidSysroot/);
    fail = false;
    assert.deepEqual(cached.get(), { ok: true });
  });
});
