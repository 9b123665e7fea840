/**
 * Splits a byte stream into messages ended by one delimiter byte (`\n` for JSON-RPC over
 * NDJSON, `\0` for Varlink). A message longer than the limit is reported once and the framer
 * stops: the connection is to be closed, as nothing after it can be trusted to be in sync.
 */
export class MessageFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;
  /** While a message is handed on: bytes of the chunk being pushed that come after it. */
  private after = 0;

  constructor(
    private readonly delimiter: number,
    private readonly maxMessageBytes: number,
    private readonly onMessage: (message: Buffer) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  /** Feed bytes as they arrive. */
  push(chunk: Buffer): void {
    let start = 0;
    while (!this.overflowed) {
      const end = chunk.indexOf(this.delimiter, start);
      if (end === -1) {
        this.buffer(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, end);
      if (this.pendingBytes + piece.length > this.maxMessageBytes) {
        this.overflow(this.pendingBytes + piece.length);
        return;
      }
      const message = this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      start = end + 1;
      this.after = chunk.length - start;
      this.onMessage(message);
      this.after = 0;
    }
  }

  /** Whether part of a message has arrived without its delimiter yet. */
  get hasPartial(): boolean {
    return this.pendingBytes > 0;
  }

  /** Whether bytes were received after the message being handed on (or part of a message waits). */
  get hasMore(): boolean {
    return this.after > 0 || this.pendingBytes > 0;
  }

  /** Bytes received after the last delimiter (an unterminated message at end of stream). */
  rest(): Buffer {
    return Buffer.concat(this.pending);
  }

  private buffer(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.pendingBytes + piece.length > this.maxMessageBytes) {
      this.overflow(this.pendingBytes + piece.length);
      return;
    }
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private overflow(bytes: number): void {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.onOverflow(bytes);
  }
}
