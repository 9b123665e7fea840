/**
 * One of the fuzzer's concurrent clients: opens connections (JSON-RPC or Varlink, chosen per
 * connection), sends generated inputs one after the other in various ways (whole, in
 * fragments, half-closing, abandoning or stalling mid-message), and judges each input by what
 * came back before the next one is sent. Many workers run at once, so their connections
 * interleave at the daemon.
 */
import type { ApiSchemas } from './api-schemas.js';
import { FuzzConnection } from './fuzz-connection.js';
import { pickGenerator } from './generators/index.js';
import type { Generator } from './generators/generator.js';
import { expectedReplies } from './oracle.js';
import { Prng } from './prng.js';
import { mayStartTransaction } from './safety-guard.js';
import type { Delivery, Outcome, Tally } from './tally.js';
import { frame, probeMessage, type Framing } from './wire-format.js';

export interface WorkerOptions {
  socket: string;
  api: ApiSchemas;
  generators: Generator[];
  seed: number;
  index: number;
  tally: Tally;
  /** Takes one input from the shared budget; false when the run is over. */
  takeInput: () => boolean;
  /** How long a request may go unanswered. */
  replyTimeoutMs: number;
  /** The daemon's --client-timeout (a stalled client is closed after it). */
  clientTimeoutMs: number;
}

function chooseDelivery(rng: Prng, framing: Framing): Delivery {
  const r = rng.next();
  if (r < 0.8) return 'whole';
  if (r < 0.92) return 'fragmented';
  if (r < 0.96) return framing === 'jsonrpc' ? 'half-close' : 'whole';
  if (r < 0.995) return 'abandon';
  return 'stall';
}

/** The bytes actually written for a delivery (a prefix for abandon and stall). */
function bytesFor(delivery: Delivery, full: Buffer, firstMessage: Buffer, rng: Prng): Buffer {
  if (delivery === 'half-close') return full.subarray(0, full.length - 1);
  if (delivery === 'abandon') return full.subarray(0, rng.int(0, full.length - 1));
  // Under the size limit: a longer part is refused at once instead of waited for.
  if (delivery === 'stall') return firstMessage.subarray(0, rng.int(1, Math.max(1, Math.min(firstMessage.length - 1, 64 * 1024))));
  return full;
}

export async function runWorker(o: WorkerOptions): Promise<void> {
  const rng = Prng.derive(o.seed, o.index);
  let conn: FuzzConnection | null = null;
  let left = 0;
  let id = 0;
  let probes = 0;
  for (let input = 0; o.takeInput(); input++) {
    if (conn === null || conn.closed || conn.closedByDaemon || left-- <= 0) {
      conn?.destroy();
      const framing: Framing = rng.chance(0.5) ? 'jsonrpc' : 'varlink';
      try {
        conn = await FuzzConnection.open(o.socket, framing);
      } catch (err) {
        o.tally.violation({
          reason: `cannot connect: ${(err as Error).message}`,
          seed: o.seed,
          worker: o.index,
          input,
          generator: '-',
          variety: '-',
          framing,
          delivery: 'whole',
          sent: '',
          sentBytes: 0,
        });
        return;
      }
      left = rng.logInt(300);
    }
    const c: FuzzConnection = conn;
    const generator = pickGenerator(o.generators, rng.next());
    const generated = generator.generate({ rng, framing: c.framing, api: o.api, nextId: () => ++id });
    const messages = [...generated.messages];
    let expected = expectedReplies(c.framing, o.api, messages);
    // Nothing to answer (notification, oneway, blank): a probe shows the connection still works.
    if (!expected.some((e) => e.optional !== true && e.silent !== true)) {
      messages.push(probeMessage(c.framing, ++probes));
      expected = expectedReplies(c.framing, o.api, messages);
    }
    const delivery = chooseDelivery(rng, c.framing);
    const bytes = bytesFor(delivery, frame(c.framing, messages), messages[0], rng);
    const repliesBefore = c.matcher.repliesSeen;
    const record = (outcome: Outcome) =>
      o.tally.record(generator.name, generated.variety, delivery, outcome, messages.length, c.matcher.repliesSeen - repliesBefore);
    if (mayStartTransaction(o.api, c.framing, bytes)) {
      record('dropped');
      continue;
    }
    let outcome: Outcome = 'answered';
    const problems: string[] = [];
    if (delivery === 'abandon') {
      c.write(bytes);
      c.destroy();
      outcome = 'abandoned';
    } else if (delivery === 'stall') {
      c.write(bytes);
      if (!(await c.waitFor(() => c.closedByDaemon, o.clientTimeoutMs + 10_000))) problems.push('a client stalled mid-message was not disconnected');
      outcome = 'closed';
    } else {
      c.matcher.expect(expected);
      if (delivery === 'fragmented') await c.writeFragmented(bytes, rng);
      else c.write(bytes);
      if (delivery === 'half-close') c.endInput();
      const done = () => (c.matcher.satisfied && (delivery !== 'half-close' || c.closedByDaemon)) || c.closedByDaemon || c.closed;
      if (!(await c.waitFor(done, o.replyTimeoutMs))) {
        problems.push(delivery === 'half-close' && c.matcher.satisfied ? 'not ended after a half-close' : `no reply within ${o.replyTimeoutMs} ms`);
      }
      if (c.closedByDaemon && delivery !== 'half-close') outcome = 'closed';
    }
    problems.push(...c.takeViolations());
    record(outcome);
    for (const reason of problems) {
      o.tally.violation({
        reason,
        seed: o.seed,
        worker: o.index,
        input,
        generator: generator.name,
        variety: generated.variety,
        framing: c.framing,
        delivery,
        sent: JSON.stringify(bytes.subarray(0, 600).toString('latin1')),
        sentBytes: bytes.length,
      });
    }
    if (problems.length > 0) c.destroy();
  }
  conn?.destroy();
}
