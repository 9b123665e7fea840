/**
 * A dbus-next MessageBus on the system bus that receives Unix file descriptors (rpm-ostree's
 * `h` values: UpdateDeployment's `install-local-packages`). dbus-next passes descriptors only
 * through the optional `usocket` addon; this connection authenticates itself (EXTERNAL, then
 * NEGOTIATE_UNIX_FD) and from BEGIN on reads the socket with recvmsg instead of libuv's read()
 * (which has the kernel close every descriptor a message brings), woken by a ReadableWatch.
 *
 * The bus sends a message's descriptors with its first bytes: each batch recvmsg returns is
 * kept with the stream offset it came at, and a message gets the batches that came within its
 * bytes. Its handles (`h`) read as indices into them, as rpm-ostree's GUnixFDList: a method
 * takes the message's descriptors (takeFds) while it is dispatched; whatever is not taken then
 * is closed at once, as are all of a message that is not a method call.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type dbus from 'dbus-next';
import { receive } from '../../util/scm-rights.js';
import { ReadableWatch } from '../../util/readable-watch.js';
import { closeAll } from '../fd-passing/received-fds.js';
import { MAX_FDS_PER_MESSAGE } from '../fd-passing/limits.js';
import { dbusNext, MessageFramer } from './peer-to-peer/peer-connection.js';

/** The D-Bus specification's largest message: a bus forwards anything up to its own limit. */
const MAX_BUS_MESSAGE_BYTES = 128 * 1024 * 1024;
/** recvmsg calls per wake-up before other work gets a turn. */
const READS_PER_TURN = 64;
/** The handshake's lines are short; a longer one is no D-Bus server. */
const MAX_HANDSHAKE_BYTES = 16 * 1024;

/** Node's stream handle (internal: there is no public way to stop libuv's reads). */
interface StreamHandle {
  fd: number;
  reading: boolean;
  readStop(): number;
}

/** The descriptors that came with one message. */
export interface MessageFds {
  fds: number[];
  /** Why they cannot be used (the whole set is refused), or null. */
  problem: string | null;
}

export interface FdBusConnection {
  bus: dbus.MessageBus;
  /** Whether the bus agreed to pass descriptors (else none ever comes). */
  readonly unixFds: boolean;
  /**
   * Takes the descriptors that came with `msg` (now the caller's to close), or undefined when
   * it brought none. Only while `msg` is dispatched: afterwards they are closed.
   */
  takeFds(msg: dbus.Message): MessageFds | undefined;
  /**
   * Leaves the bus now: the reader's wait (poll(2) on a thread of libuv's pool) is woken and the
   * socket closed. Node's exit joins the pool's threads, so a wait left pending there hangs the
   * process's exit (found on the booted image: the idle daemon never finished exiting).
   */
  close(): void;
}

/** The socket path of a `unix:path=` bus address, or null (abstract sockets, tcp: not handled here). */
export function unixPathOf(address: string): string | null {
  for (const entry of address.split(';')) {
    const m = /^unix:(?:.*,)?path=([^,]+)/.exec(entry);
    if (m !== null) return decodeURIComponent(m[1]);
  }
  return null;
}

/** Reads CRLF-terminated handshake lines from the socket (libuv's reads: no descriptors come yet). */
function lineReader(socket: Socket): (expect: (line: string) => void) => void {
  let buffered = Buffer.alloc(0);
  const waiting: ((line: string) => void)[] = [];
  const pump = (): void => {
    for (;;) {
      const end = buffered.indexOf('\r\n');
      if (end < 0 || waiting.length === 0) break;
      const line = buffered.subarray(0, end).toString('latin1');
      buffered = buffered.subarray(end + 2);
      (waiting.shift() as (line: string) => void)(line);
    }
    if (buffered.length > MAX_HANDSHAKE_BYTES) socket.destroy(new Error('the bus sent a handshake line too long'));
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  });
  return (expect) => {
    waiting.push(expect);
    pump();
  };
}

/** EXTERNAL authentication, then NEGOTIATE_UNIX_FD; resolves with whether the bus agreed. BEGIN is the caller's. */
function authenticate(socket: Socket): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('the bus closed the connection during authentication'));
    socket.once('close', onClose);
    socket.once('error', reject);
    const next = lineReader(socket);
    const uid = Buffer.from(String(process.getuid?.() ?? 0), 'ascii').toString('hex');
    socket.write(`\0AUTH EXTERNAL ${uid}\r\n`);
    next((ok) => {
      if (!ok.startsWith('OK ')) return reject(new Error(`the bus refused the authentication: ${ok}`));
      socket.write('NEGOTIATE_UNIX_FD\r\n');
      next((answer) => {
        socket.off('close', onClose);
        socket.off('error', reject);
        socket.removeAllListeners('data');
        if (answer === 'AGREE_UNIX_FD') resolve(true);
        else if (answer.startsWith('ERROR')) resolve(false);
        else reject(new Error(`unexpected answer to NEGOTIATE_UNIX_FD: ${answer}`));
      });
    });
  });
}

/** A batch of descriptors and the stream offset of the first byte they came with. */
interface FdBatch {
  offset: number;
  fds: number[];
  truncated: boolean;
}

/**
 * Connects to the bus at the socket `path`. Rejects when the bus cannot be reached or refuses
 * the authentication; a bus that refuses descriptors gives a connection without them.
 */
export async function connectFdBus(path: string, onError: (err: Error) => void): Promise<FdBusConnection> {
  const { MessageBus, messageToJsFmt, marshallMessage, Message, DBusBuffer, headerSignature, headerTypeName } = dbusNext();
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const unixFds = await authenticate(socket);
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  if (handle === undefined || handle === null || typeof handle.readStop !== 'function') {
    socket.destroy();
    throw new Error('the bus socket has no stream handle');
  }
  // From here on only recvmsg reads: the bus sends nothing before it has BEGIN.
  handle.readStop();
  // Node restarts reads when `reading` is false and its stream wants data; it stays true.
  handle.reading = true;
  socket.write('BEGIN\r\n');

  const attached = new WeakMap<dbus.Message, MessageFds>();
  const connection = Object.assign(new EventEmitter(), {
    stream: socket,
    state: 'connected',
    message(msg: dbus.Message): void {
      if (!socket.writable) return;
      const [bytes, fds] = marshallMessage(msg);
      // Only ever replies, signals and calls to the bus: this side sends no descriptors.
      if (fds.length > 0) throw new Error('sending descriptors is not supported');
      socket.write(bytes);
    },
    end(): void {
      socket.end();
    },
  });

  // Handles read as their index in the message's descriptor list (GUnixFDList's numbering).
  const handles = new Proxy<number[]>([], {
    get: (_target, key) => (key === 'length' ? 2 ** 32 : typeof key === 'string' && /^[0-9]+$/.test(key) ? Number(key) : undefined),
  });
  const batches: FdBatch[] = [];
  let streamOffset = 0;

  /** The batches that came within the message at [start, start + length). */
  const fdsOf = (start: number, length: number): FdBatch[] => {
    const mine: FdBatch[] = [];
    while (batches.length > 0 && batches[0].offset < start + length) {
      const b = batches.shift() as FdBatch;
      // Descriptors before the message started belong to no message (cannot happen with a bus).
      if (b.offset < start) closeAll(b.fds);
      else mine.push(b);
    }
    return mine;
  };

  const parse = (frame: Buffer): { message: dbus.Message; announced: number } => {
    const little = frame[0] === 0x6c;
    const read = (at: number): number => (little ? frame.readUInt32LE(at) : frame.readUInt32BE(at));
    const fieldsLength = read(12);
    const bodyLength = read(4);
    const buffer = new DBusBuffer(frame.subarray(16), 0, frame[0], handles, {});
    const fields = buffer.readArray((headerSignature[0] as { child: unknown[] }).child[0], fieldsLength) as [number, [unknown, [unknown]]][];
    buffer.align(3);
    const raw: Record<string, unknown> = { serial: read(8), type: frame[1], flags: frame[2] };
    for (const [code, [, [value]]] of fields) {
      const name = headerTypeName[code];
      if (name !== null && name !== undefined) raw[name] = value;
    }
    if (bodyLength > 0 && typeof raw.signature === 'string') raw.body = buffer.read(raw.signature);
    return { message: new Message(messageToJsFmt(raw)), announced: typeof raw.unixFd === 'number' ? raw.unixFd : 0 };
  };

  const framer = new MessageFramer(
    (frame, start) => {
      const mine = fdsOf(start, frame.length);
      const fds = mine.flatMap((b) => b.fds);
      let parsed: { message: dbus.Message; announced: number };
      try {
        parsed = parse(frame);
      } catch (err) {
        closeAll(fds);
        onError(new Error(`a message from the bus could not be read: ${(err as Error).message}`));
        return;
      }
      const { message, announced } = parsed;
      if (fds.length > 0 || announced > 0) {
        const problem = mine.some((b) => b.truncated)
          ? `more than ${MAX_FDS_PER_MESSAGE} descriptors in one message`
          : fds.length > MAX_FDS_PER_MESSAGE
            ? `${fds.length} descriptors in one message, more than the ${MAX_FDS_PER_MESSAGE} allowed`
            : fds.length !== announced
              ? `the message announced ${announced} descriptors and brought ${fds.length}`
              : null;
        attached.set(message, { fds, problem });
      }
      try {
        connection.emit('message', message);
      } finally {
        // Not taken while the message was dispatched: closed now.
        const left = attached.get(message);
        if (left !== undefined) closeAll(left.fds);
        attached.delete(message);
      }
    },
    () => {
      onError(new Error(`a message from the bus longer than ${MAX_BUS_MESSAGE_BYTES} bytes`));
      socket.destroy();
    },
    MAX_BUS_MESSAGE_BYTES,
  );

  const ended = (err?: Error): void => {
    watch.stop();
    for (const b of batches.splice(0)) closeAll(b.fds);
    if (err !== undefined) onError(err);
    if (!socket.destroyed) socket.destroy();
  };

  const onReadable = (): void => {
    for (let i = 0; i < READS_PER_TURN; i++) {
      if (socket.destroyed) return ended();
      const r = receive(handle.fd);
      if (r.kind === 'again') return watch.arm();
      // After our own end() (disconnect), the bus's end is expected.
      if (r.kind === 'eof') return ended(socket.writableEnded ? undefined : new Error('the bus closed the connection'));
      if (r.kind === 'error') return ended(new Error(`recvmsg on the bus connection failed (errno ${r.errno})`));
      if (r.fds.length > 0 || r.truncated) batches.push({ offset: streamOffset, fds: r.fds, truncated: r.truncated });
      streamOffset += r.bytes.length;
      framer.push(r.bytes);
    }
    setImmediate(onReadable);
  };
  const watch = new ReadableWatch(handle.fd, onReadable);
  socket.on('close', () => ended());
  socket.on('error', (err) => onError(err));

  const bus = new MessageBus(connection);
  setImmediate(onReadable);
  return {
    bus,
    unixFds,
    takeFds(msg) {
      const fds = attached.get(msg);
      attached.delete(msg);
      return fds;
    },
    close: () => ended(),
  };
}
