import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringifyCached } from '../src/transports/cached-json.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('stringifyCached', () => {
  it("produces exactly JSON.stringify's text", () => {
    const frozen = deepFreeze({ a: [1, 'x', null, { b: true }], c: 'é"\n' });
    const values: unknown[] = [
      { jsonrpc: '2.0', id: 1, result: { deployments: [frozen, frozen] } },
      [1, undefined, () => 1, 'x'],
      { skip: undefined, f: () => 1, n: null, nested: { d: new Date(0) } },
      'plain',
      42,
      null,
      { arr: [], obj: {} },
    ];
    for (const v of values) assert.equal(stringifyCached(v), JSON.stringify(v));
  });

  it('reuses the text of a frozen object (it cannot change)', () => {
    const frozen = deepFreeze({ big: 'x'.repeat(10) });
    const first = stringifyCached({ r: frozen });
    assert.equal(stringifyCached({ r: frozen }), first);
    const mutable = { v: 1 };
    assert.equal(stringifyCached({ r: mutable }), '{"r":{"v":1}}');
    mutable.v = 2;
    assert.equal(stringifyCached({ r: mutable }), '{"r":{"v":2}}', 'mutable objects are not cached');
  });
});
