import { createConnection } from 'node:net';

/**
 * Sends raw bytes on a new connection, half-closes (unless `keepOpen`), and collects what
 * the daemon sends until it closes the connection or `timeoutMs` passes.
 */
export function exchange(
  path: string,
  payload: string | Buffer,
  opts: { keepOpen?: boolean; timeoutMs?: number } = {},
): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path, allowHalfOpen: true });
    let text = '';
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 5000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => finish(true));
    socket.on('error', (err) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('connect', () => {
      socket.write(payload);
      if (opts.keepOpen !== true) socket.end();
    });
  });
}

/** Parses NDJSON text into its messages. */
export function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
