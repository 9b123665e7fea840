/**
 * Non-root requests are answered in turns: each turn of the event loop answers at most
 * `perTurn` of them (batch elements count), round-robin over the connections that have some
 * waiting, and I/O is polled between turns. Root's requests are answered as they are read, so
 * a user's flood delays a root read by one turn at most (a batch flood blocked the
 * event loop for seconds).
 */
export class RequestTurns {
  /** Connections with requests ready, in turn order; each answers while the budget lasts. */
  private readonly ready = new Set<(budget: TurnBudget) => boolean>();
  private scheduled = false;

  constructor(private readonly perTurn: number) {}

  /**
   * Asks for a turn: `answer` answers requests while `budget.left > 0` (taking from it) and
   * returns whether it has more ready (it then keeps its place in the rotation).
   */
  request(answer: (budget: TurnBudget) => boolean): void {
    this.ready.add(answer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.turn());
    }
  }

  private turn(): void {
    this.scheduled = false;
    const budget: TurnBudget = { left: this.perTurn };
    for (const answer of [...this.ready]) {
      if (budget.left <= 0) break;
      this.ready.delete(answer);
      // Back of the queue when it has more: the next connection goes first next turn.
      if (answer(budget)) this.ready.add(answer);
    }
    if (this.ready.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.turn());
    }
  }
}

export interface TurnBudget {
  left: number;
}
