/**
 * Reply bytes written to sockets but not yet taken by the clients, per uid and over all
 * non-root uids (clients that never read piled up gigabytes). A connection whose
 * uid, or the non-root connections together, are over budget stops being read until replies
 * drain; root has its own budget only, so a flooding user never stalls root.
 */
export class UnsentBudget {
  private nonRoot = 0;
  private readonly byUid = new Map<number, number>();
  /** Connections waiting for the budget to free, with their uid. */
  private readonly waiting = new Map<() => void, number>();

  constructor(
    private readonly perUid: number,
    private readonly allNonRoot: number,
  ) {}

  /** Whether connections of `uid` must not read more requests now. */
  over(uid: number): boolean {
    return (this.byUid.get(uid) ?? 0) > this.perUid || (uid !== 0 && this.nonRoot > this.allNonRoot);
  }

  add(uid: number, bytes: number): void {
    this.byUid.set(uid, (this.byUid.get(uid) ?? 0) + bytes);
    if (uid !== 0) this.nonRoot += bytes;
  }

  /** `bytes` of `uid` were sent (or dropped with their connection). */
  release(uid: number, bytes: number): void {
    if (bytes === 0) return;
    const wasOver = this.over(uid);
    const nonRootWasOver = this.nonRoot > this.allNonRoot;
    const left = (this.byUid.get(uid) ?? bytes) - bytes;
    if (left <= 0) this.byUid.delete(uid);
    else this.byUid.set(uid, left);
    if (uid !== 0) this.nonRoot -= bytes;
    if ((wasOver && !this.over(uid)) || (nonRootWasOver && this.nonRoot <= this.allNonRoot)) this.wake();
  }

  /** Calls `resume` once when `uid` is back under budget (unless cancelled first). */
  wait(uid: number, resume: () => void): void {
    this.waiting.set(resume, uid);
  }

  cancel(resume: () => void): void {
    this.waiting.delete(resume);
  }

  private wake(): void {
    for (const [resume, uid] of [...this.waiting]) {
      if (this.over(uid)) continue;
      this.waiting.delete(resume);
      resume();
    }
  }
}
