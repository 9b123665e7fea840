/**
 * Baseline for the benchmark: a bare Node NDJSON echo server on the same kind of socket as
 * the daemon (Unix, allowHalfOpen), socket-activated like it when LISTEN_FDS is set. It answers
 * every line with the same line, so it measures Node's own start and socket costs and nothing else.
 */
import { createServer } from 'node:net';

const server = createServer({ allowHalfOpen: true }, (socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      socket.write(buffered.slice(0, nl + 1));
      buffered = buffered.slice(nl + 1);
    }
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
});

if (process.env.LISTEN_FDS === '1' && process.env.LISTEN_PID === String(process.pid)) {
  server.listen({ fd: 3 });
} else {
  server.listen(process.argv[2]);
}
process.on('SIGTERM', () => process.exit(0));
