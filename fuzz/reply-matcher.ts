/**
 * Matches what comes back on one connection against what the oracle expects: JSON-RPC replies
 * by id (they may come in any order), Varlink replies in order. Yields a violation for a reply
 * nobody asked for, a reply that fails its check, or a close that leaves a request unanswered.
 */
import { checkJsonRpcReply, checkVarlinkReply, jsonRpcReplyKey, type ReplyExpectation } from './oracle.js';
import type { Framing } from './wire-format.js';

export class ReplyMatcher {
  private pending: ReplyExpectation[] = [];
  /** Replies that may come at any later time (kept for the connection's life). */
  private optional: ReplyExpectation[] = [];
  /** A Varlink `more` call whose last reply has not come yet. */
  private streaming: ReplyExpectation | null = null;
  /**
   * The daemon announced it closes (message too large): what was sent after that message is
   * excused; what was sent before it must still be answered (these are kept here).
   */
  closeAnnounced = false;
  private sentBeforeClose: ReplyExpectation[] = [];
  repliesSeen = 0;

  constructor(private readonly framing: Framing) {}

  expect(expectations: ReplyExpectation[]): void {
    for (const e of expectations) (e.optional === true ? this.optional : this.pending).push(e);
  }

  /** Every required reply has come. */
  get satisfied(): boolean {
    return this.pending.every((e) => e.silent === true) && this.streaming === null;
  }

  /** One message from the daemon; returns a violation or null. */
  onReply(reply: unknown): string | null {
    this.repliesSeen++;
    if (this.framing === 'varlink') return this.onVarlinkReply(reply);
    const items = Array.isArray(reply) ? reply : [reply];
    for (const item of items) {
      const bad = checkJsonRpcReply(item);
      if (bad !== null) return bad;
    }
    const key = jsonRpcReplyKey(reply);
    let i = this.pending.findIndex((e) => e.key === key);
    let list = this.pending;
    if (i === -1) {
      list = this.optional;
      i = list.findIndex((e) => e.key === key);
    }
    if (i === -1) return `an unexpected reply ${JSON.stringify(reply).slice(0, 200)}`;
    const [e] = list.splice(i, 1);
    if (e.closes === true && !this.closeAnnounced) {
      this.closeAnnounced = true;
      if (list === this.pending) this.sentBeforeClose = this.pending.slice(0, i);
    }
    return e.check?.(reply) ?? null;
  }

  private onVarlinkReply(reply: unknown): string | null {
    const bad = checkVarlinkReply(reply);
    if (bad !== null) return bad;
    // A message that may go unanswered did, since a later one is answered.
    while (this.streaming === null && this.pending[0]?.silent === true) this.pending.shift();
    const e = this.streaming ?? this.pending.shift();
    if (e === undefined) return `an unexpected reply ${JSON.stringify(reply).slice(0, 200)}`;
    const continues = (reply as { continues?: unknown }).continues === true;
    if (continues && e.more !== true) return 'continues: true on a call without more';
    this.streaming = continues ? e : null;
    return e.check?.(reply) ?? null;
  }

  /** The daemon closed the connection; returns a violation or null. */
  onClose(): string | null {
    if (this.satisfied) return null;
    if (this.closeAnnounced) {
      const unanswered = this.sentBeforeClose.filter((e) => e.silent !== true && this.pending.includes(e));
      return unanswered.length === 0 ? null : `closed with ${unanswered.length} request(s) sent before the oversized message unanswered`;
    }
    // A Varlink message that was not a call: closing is the protocol's answer to it. Varlink
    // answers in order, so everything sent before it must have been answered.
    if (this.framing === 'varlink' && this.streaming === null) {
      const first = this.pending.find((e) => e.silent !== true || e.orClose === true);
      if (first?.orClose === true) return null;
    }
    return `closed with ${this.pending.filter((e) => e.silent !== true).length + (this.streaming === null ? 0 : 1)} request(s) unanswered`;
  }

  /** Forget what is pending (the client itself closed or gave up). */
  reset(): void {
    this.pending = [];
    this.streaming = null;
  }
}
