/**
 * A dbus-next MessageBus over one authenticated peer-to-peer socket (no bus daemon between):
 * objects exported on it are served to that one peer, and their signals go to it. dbus-next
 * only connects to buses (it always authenticates as a client and says Hello), so this builds
 * the connection object its MessageBus runs on from dbus-next's own message (un)marshalling,
 * with a bound on each message's size, and drops the Hello (a peer is no bus; GDBus would
 * answer it with an error).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type dbus from 'dbus-next';

/** Largest message accepted from a peer: a transaction's calls are a few hundred bytes. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** The fixed part of a message header: endianness, type, flags, version, body length, serial, fields length. */
const FIXED_HEADER_BYTES = 16;

/** dbus-next's internals that have no public export (its package has no "exports" map that hides them). */
export interface DbusNextInternals {
  MessageBus: new (connection: EventEmitter) => dbus.MessageBus;
  unmarshalMessages(stream: NodeJS.ReadableStream, onMessage: (raw: unknown) => void, opts: object): void;
  messageToJsFmt(raw: unknown): ConstructorParameters<typeof dbus.Message>[0];
  marshallMessage(message: dbus.Message): [Buffer, number[]];
  Message: typeof dbus.Message;
  /** dbus-next's reader of marshalled data (`fds`: what a handle index reads as). */
  DBusBuffer: new (
    buffer: Buffer,
    startPos: number,
    endian: number,
    fds: ArrayLike<number>,
    options: object,
  ) => { readArray(type: unknown, length: number): unknown[]; align(power: number): void; read(signature: string): unknown[] };
  /** The header's fields: their signature, and their names by code. */
  headerSignature: unknown[];
  headerTypeName: (string | null)[];
}

let internals: DbusNextInternals | null = null;
export function dbusNext(): DbusNextInternals {
  if (internals !== null) return internals;
  const require = createRequire(import.meta.url);
  // These modules are CommonJS with untyped exports; their shapes are declared by DbusNextInternals.
  const marshall = require('dbus-next/lib/marshall-compat.js') as Pick<DbusNextInternals, 'messageToJsFmt' | 'marshallMessage'>;
  internals = {
    MessageBus: require('dbus-next/lib/bus.js') as DbusNextInternals['MessageBus'],
    unmarshalMessages: (require('dbus-next/lib/message.js') as Pick<DbusNextInternals, 'unmarshalMessages'>).unmarshalMessages,
    messageToJsFmt: marshall.messageToJsFmt,
    marshallMessage: marshall.marshallMessage,
    Message: (require('dbus-next/lib/message-type.js') as { Message: typeof dbus.Message }).Message,
    DBusBuffer: require('dbus-next/lib/dbus-buffer.js') as DbusNextInternals['DBusBuffer'],
    headerSignature: require('dbus-next/lib/header-signature.json') as unknown[],
    headerTypeName: (require('dbus-next/lib/constants.js') as { headerTypeName: (string | null)[] }).headerTypeName,
  };
  return internals;
}

/**
 * Cuts the byte stream into whole messages (header lengths), refusing any longer than
 * `maxBytes` before it is buffered. `onFrame` also gets where the message starts in the stream.
 */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  /** Stream offset of the first pending byte. */
  private offset = 0;

  constructor(
    private readonly onFrame: (frame: Buffer, start: number) => void,
    private readonly onTooLong: () => void,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= FIXED_HEADER_BYTES) {
      const little = this.pending[0] === 0x6c; // 'l'
      const read = (at: number): number => (little ? this.pending.readUInt32LE(at) : this.pending.readUInt32BE(at));
      const fieldsLength = read(12);
      const total = FIXED_HEADER_BYTES + Math.ceil(fieldsLength / 8) * 8 + read(4);
      if (total > this.maxBytes) return this.onTooLong();
      if (this.pending.length < total) return;
      const frame = this.pending.subarray(0, total);
      const start = this.offset;
      this.pending = this.pending.subarray(total);
      this.offset += total;
      this.onFrame(frame, start);
    }
  }
}

/**
 * A MessageBus on `socket`, already authenticated; `firstBytes` are what the peer sent right
 * after BEGIN. Errors of the connection close it (logged by `onError`).
 */
export function peerMessageBus(socket: Socket, firstBytes: Buffer, onError: (err: Error) => void): dbus.MessageBus {
  const { MessageBus, unmarshalMessages, messageToJsFmt, marshallMessage, Message } = dbusNext();
  const connection = Object.assign(new EventEmitter(), {
    stream: socket,
    state: 'connected',
    message(msg: dbus.Message): void {
      // A peer is no bus: MessageBus's Hello goes nowhere (its reply handler simply waits).
      if (msg.member === 'Hello' && msg.destination === 'org.freedesktop.DBus') return;
      if (!socket.writable) return;
      socket.write(marshallMessage(msg)[0]);
    },
    end(): void {
      socket.end();
    },
  });
  const frames = new PassThrough();
  const framer = new MessageFramer(
    (frame) => frames.write(frame),
    () => {
      onError(new Error(`a message longer than ${MAX_MESSAGE_BYTES} bytes`));
      socket.destroy();
    },
  );
  unmarshalMessages(
    frames,
    (raw) => {
      try {
        connection.emit('message', new Message(messageToJsFmt(raw)));
      } catch (err) {
        onError(err as Error);
        socket.destroy();
      }
    },
    {},
  );
  socket.on('data', (chunk: Buffer) => framer.push(chunk));
  socket.on('error', (err) => onError(err));
  socket.on('close', () => frames.end());
  const bus = new MessageBus(connection);
  bus.on('error', (err: Error) => onError(err));
  if (firstBytes.length > 0) framer.push(firstBytes);
  socket.resume();
  return bus;
}
