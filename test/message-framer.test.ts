import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageFramer } from '../src/transports/message-framer.js';

function framer(limit = 16) {
  const messages: string[] = [];
  const overflows: number[] = [];
  const f = new MessageFramer(
    0x0a,
    limit,
    (m) => messages.push(m.toString()),
    (n) => overflows.push(n),
  );
  return { f, messages, overflows };
}

describe('MessageFramer', () => {
  it('splits on the delimiter across arbitrary chunk boundaries', () => {
    const { f, messages } = framer();
    for (const chunk of ['ab', 'c\nde', '\n\nf', 'g\n']) f.push(Buffer.from(chunk));
    assert.deepEqual(messages, ['abc', 'de', '', 'fg']);
    assert.equal(f.rest().length, 0);
  });

  it('keeps an unterminated tail as rest()', () => {
    const { f } = framer();
    f.push(Buffer.from('x\nyz'));
    assert.equal(f.rest().toString(), 'yz');
  });

  it('reports a message over the limit once, whether or not it is terminated, and stops', () => {
    const a = framer(4);
    a.f.push(Buffer.from('12345\nok\n'));
    assert.deepEqual(a.messages, []);
    assert.deepEqual(a.overflows, [5]);
    const b = framer(4);
    b.f.push(Buffer.from('12'));
    b.f.push(Buffer.from('345'));
    b.f.push(Buffer.from('6\n'));
    assert.equal(b.overflows.length, 1);
    assert.deepEqual(b.messages, []);
    const c = framer(4);
    c.f.push(Buffer.from('1234\n'));
    assert.deepEqual(c.messages, ['1234'], 'exactly the limit is fine');
  });

  it('works with NUL as the delimiter (Varlink)', () => {
    const messages: string[] = [];
    const f = new MessageFramer(
      0,
      100,
      (m) => messages.push(m.toString()),
      () => {},
    );
    f.push(Buffer.from('{"a":1}\0{"b":\n2}\0'));
    assert.deepEqual(messages, ['{"a":1}', '{"b":\n2}']);
  });
});
