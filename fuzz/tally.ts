/** Counts per generator, and the violations with what reproduces them. */

export type Delivery = 'whole' | 'fragmented' | 'half-close' | 'abandon' | 'stall';

/** How one input ended. */
export type Outcome = 'answered' | 'closed' | 'abandoned' | 'dropped';

export interface Violation {
  reason: string;
  seed: number;
  worker: number;
  input: number;
  generator: string;
  variety: string;
  framing: string;
  delivery: Delivery;
  /** The bytes sent, as a JSON string, cut to a readable length. */
  sent: string;
  sentBytes: number;
}

export interface GeneratorCounts {
  inputs: number;
  messages: number;
  replies: number;
  /** Connections the daemon closed (after an error reply, or a Varlink protocol violation, or a stall). */
  closes: number;
  abandoned: number;
  /** Inputs not sent: they could have started a transaction. */
  dropped: number;
  violations: number;
}

export class Tally {
  readonly byGenerator = new Map<string, GeneratorCounts>();
  readonly varieties = new Map<string, number>();
  readonly deliveries = new Map<Delivery, number>();
  readonly violations: Violation[] = [];
  violationCount = 0;

  counts(generator: string): GeneratorCounts {
    let c = this.byGenerator.get(generator);
    if (c === undefined) this.byGenerator.set(generator, (c = { inputs: 0, messages: 0, replies: 0, closes: 0, abandoned: 0, dropped: 0, violations: 0 }));
    return c;
  }

  record(generator: string, variety: string, delivery: Delivery, outcome: Outcome, messages: number, replies: number): void {
    const c = this.counts(generator);
    if (outcome === 'dropped') {
      c.dropped++;
      return;
    }
    c.inputs++;
    c.messages += messages;
    c.replies += replies;
    if (outcome === 'closed') c.closes++;
    if (outcome === 'abandoned') c.abandoned++;
    const v = `${generator}/${variety}`;
    this.varieties.set(v, (this.varieties.get(v) ?? 0) + 1);
    this.deliveries.set(delivery, (this.deliveries.get(delivery) ?? 0) + 1);
  }

  violation(v: Violation): void {
    this.violationCount++;
    this.counts(v.generator).violations++;
    // Keep the first few in full; the count says how many there were.
    if (this.violations.length < 20) this.violations.push(v);
  }

  get inputs(): number {
    let n = 0;
    for (const c of this.byGenerator.values()) n += c.inputs;
    return n;
  }
}
