import type { ApiSchemas } from '../api-schemas.js';
import type { Prng } from '../prng.js';
import type { Framing } from '../wire-format.js';

/** What a generator may use: the connection's framing, its random source, the API. */
export interface GeneratorContext {
  rng: Prng;
  framing: Framing;
  api: ApiSchemas;
  /** A fresh request id on this connection. */
  nextId(): number;
}

/** One input: the messages to send, each without its terminator. */
export interface GeneratedInput {
  messages: Buffer[];
  /** Which variety of the generator made it (reported per variety). */
  variety: string;
}

export interface Generator {
  name: string;
  /** Relative frequency. */
  weight: number;
  generate(ctx: GeneratorContext): GeneratedInput;
}

/** A JSON value as one message. */
export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
