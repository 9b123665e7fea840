import { join } from 'node:path';
/**
 * A child process for the ostree operation tests (run as `node dist/test/support/operation-child.js`):
 *
 * - `hold-lock SYSROOT`: takes libostree's sysroot lock, prints `locked`, and holds it until
 *   stdin closes (then unlocks and exits).
 * - `run-op SYSROOT METHOD PARAMS_JSON TXID [proceed]`: runs an operation like the worker does,
 *   printing each event as a JSON line, then `{"type":"result",...}`; at the point of no
 *   return it prints `{"type":"pointOfNoReturn"}` and, unless `proceed` is given, waits
 *   forever, so the test can kill it there, as the daemon's Cancel does.
 */
import { SysrootSession } from '../../src/backends/ostree/write/session.js';
import type { OperationContext } from '../../src/worker/operation-context.js';

function line(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function holdLock(sysroot: string): Promise<void> {
  const session = await SysrootSession.open(sysroot);
  line({ type: 'locked' });
  process.stdin.resume();
  process.stdin.on('end', () => {
    session.close();
    process.exit(0);
  });
}

async function runOp(sysroot: string, method: string, paramsJson: string, transactionId: string, proceed: boolean): Promise<void> {
  const params = JSON.parse(paramsJson) as Record<string, unknown>;
  const ctx: OperationContext = {
    sysroot,
    osname: 'debian',
    transactionId,
    config: {
      downloadTimeout: 300,
      maxConcurrentDownloads: 4,
      disableRecommends: false,
      refreshMdMaxAge: 21600,
      cacheDir: join(sysroot, '..', 'cache'),
      stateDir: join(sysroot, '..', 'state'),
    },
    emit: (event) => line(event),
    locked: () => {},
    pointOfNoReturn: () => {
      line({ type: 'pointOfNoReturn' });
      if (proceed) return Promise.resolve();
      setInterval(() => undefined, 60_000); // keep the process alive until it is killed
      return new Promise<void>(() => undefined);
    },
  };
  let result: unknown;
  if (method === 'upgrade') result = await (await import('../../src/worker/operations/upgrade.js')).upgrade(ctx, params);
  else if (method === 'deploy') {
    result = await (await import('../../src/worker/operations/deploy.js')).deploy(ctx, params as { revision: string });
  } else if (method === 'rollback') result = await (await import('../../src/worker/operations/rollback.js')).rollback(ctx);
  else throw new Error(`unknown method ${method}`);
  line({ type: 'result', result });
}

const [mode, ...args] = process.argv.slice(2);
const main = mode === 'hold-lock' ? holdLock(args[0]) : runOp(args[0], args[1], args[2] ?? '{}', args[3] ?? 'child', args[4] === 'proceed');
main.catch((e: unknown) => {
  line({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
