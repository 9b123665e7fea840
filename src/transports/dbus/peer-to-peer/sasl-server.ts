/**
 * The server side of D-Bus authentication (the SASL line protocol before BEGIN) for a
 * peer-to-peer connection, with the one mechanism a local daemon needs: EXTERNAL, where the
 * kernel's SO_PEERCRED is the proof and the client's claimed uid must be that uid. Unix file
 * descriptor passing is declined (these connections carry a transaction's calls and signals
 * only). GDBus's clients (rpm-ostree's `transaction_connect()`, GNOME Software), libdbus and
 * sd-bus speak it.
 *
 * Protocol: the D-Bus specification, "Authentication Protocol".
 */
import type { Socket } from 'node:net';

/** Longest line accepted before BEGIN (the specification's own limit is 16 KiB for the whole exchange). */
const MAX_HANDSHAKE_BYTES = 16 * 1024;
/** How long a client may take to authenticate. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class SaslError extends Error {}

/**
 * Runs the handshake on `socket` for a peer whose kernel-reported uid is `peerUid`; resolves
 * with the bytes the client sent after BEGIN (its first messages), or rejects (the caller closes).
 */
export function authenticateExternal(socket: Socket, peerUid: number, guid: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let sawNul = false;
    let awaitingData = false;
    let authenticated = false;
    const timer = setTimeout(() => finish(new SaslError('authentication timed out')), HANDSHAKE_TIMEOUT_MS);
    const finish = (err: Error | null, rest?: Buffer): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      // Nothing may be read until the message reader takes over (peerMessageBus resumes).
      socket.pause();
      if (err !== null) reject(err);
      else resolve(rest ?? Buffer.alloc(0));
    };
    const onClose = (): void => finish(new SaslError('the client closed the connection while authenticating'));
    const reply = (line: string): void => {
      socket.write(`${line}\r\n`);
    };
    /** The claimed identity: hex of the decimal uid, or nothing (then the kernel's uid stands). */
    const accept = (hexIdentity: string): boolean => {
      if (hexIdentity !== '') {
        const claimed = Buffer.from(hexIdentity, 'hex').toString('latin1');
        if (!/^[0-9]+$/.test(claimed) || Number(claimed) !== peerUid) return false;
      }
      authenticated = true;
      reply(`OK ${guid}`);
      return true;
    };
    const onLine = (line: string): boolean => {
      const [command = '', ...args] = line.split(' ');
      switch (command) {
        case 'AUTH': {
          const [mechanism, initial] = args;
          if (mechanism !== 'EXTERNAL') {
            reply('REJECTED EXTERNAL');
          } else if (initial === undefined) {
            awaitingData = true;
            reply('DATA');
          } else if (!accept(initial)) {
            reply('REJECTED EXTERNAL');
          }
          return false;
        }
        case 'DATA':
          if (!awaitingData || !accept(args[0] ?? '')) reply('REJECTED EXTERNAL');
          awaitingData = false;
          return false;
        case 'CANCEL':
        case 'ERROR':
          awaitingData = false;
          reply('REJECTED EXTERNAL');
          return false;
        case 'NEGOTIATE_UNIX_FD':
          reply('ERROR "file descriptors are not passed on this connection"');
          return false;
        case 'BEGIN':
          if (authenticated) return true;
          reply('ERROR "not authenticated"');
          return false;
        default:
          reply('ERROR "unknown command"');
          return false;
      }
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!sawNul) {
        if (buffered[0] !== 0) return finish(new SaslError('the client did not start with a NUL byte'));
        sawNul = true;
        buffered = buffered.subarray(1);
      }
      for (;;) {
        const end = buffered.indexOf('\r\n');
        if (end < 0) break;
        const line = buffered.subarray(0, end).toString('latin1');
        buffered = buffered.subarray(end + 2);
        if (onLine(line)) return finish(null, buffered);
      }
      if (buffered.length > MAX_HANDSHAKE_BYTES) finish(new SaslError('authentication line too long'));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
