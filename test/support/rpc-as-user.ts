/**
 * `node rpc-as-user.js SOCKET METHOD PARAMS_JSON [--notifications]`: one JSON-RPC call, its
 * response printed as one JSON line (with `--notifications`, every notification received
 * before it too, one line each). Tests run it through `runuser -u USER` to call the daemon as
 * that user.
 */
import { createConnection } from 'node:net';

const [socketPath, method, params, flag] = process.argv.slice(2);
const withNotifications = flag === '--notifications';
const socket = createConnection(socketPath);
let text = '';
socket.setEncoding('utf8');
socket.on('data', (d: string) => {
  text += d;
  const lines = text.split('\n');
  text = lines.pop() ?? '';
  for (const line of lines) {
    const message = JSON.parse(line) as { id?: number };
    if (message.id === 1) {
      process.stdout.write(line + '\n');
      socket.destroy();
    } else if (withNotifications && message.id === undefined) {
      process.stdout.write(line + '\n');
    }
  }
});
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 2;
});
socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: JSON.parse(params ?? '{}') }) + '\n');
