/**
 * `node rpc-as-user.js SOCKET METHOD PARAMS_JSON`: one JSON-RPC call, its response printed
 * as one JSON line. Tests run it through `runuser -u USER` to call the daemon as that user.
 */
import { createConnection } from 'node:net';

const [socketPath, method, params] = process.argv.slice(2);
const socket = createConnection(socketPath);
let text = '';
socket.setEncoding('utf8');
socket.on('data', (d: string) => {
  text += d;
  for (const line of text.split('\n').slice(0, -1)) {
    const message = JSON.parse(line) as { id?: number };
    if (message.id === 1) {
      process.stdout.write(line + '\n');
      socket.destroy();
    }
  }
});
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 2;
});
socket.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: JSON.parse(params ?? '{}') }) + '\n');
