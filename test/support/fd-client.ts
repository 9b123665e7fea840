/**
 * `node fd-client.js SOCKET METHOD FILE...`: opens each file (as whoever runs it), calls
 * METHOD with `{files: [{fd: 0}, …]}` and the descriptors passed, and prints the result (or
 * `{error}`) as one JSON line. Tests run it through `runuser -u USER`.
 */
import { openSync } from 'node:fs';
import { JsonRpcClient } from '../../src/client/jsonrpc-client.js';

const [socketPath, method, ...files] = process.argv.slice(2);
const fds = files.map((f) => openSync(f, 'r'));
const client = await JsonRpcClient.connect(socketPath);
try {
  const result = await client.call(method, { files: fds.map((_, fd) => ({ fd })) }, { fds });
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ error: (err as Error).message }) + '\n');
} finally {
  client.close();
}
