import { after, before } from 'node:test';
import type { Deployment } from '../../src/api/types/deployment.js';
import { JsonRpcClient } from '../../src/client/jsonrpc-client.js';
import { startDaemon, type DaemonHandle } from './daemon-process.js';
import { tempSysrootDir } from './ostree-admin-status.js';

/** What {@link daemonSuite} sets up; the fields are filled in by its before() hook. */
export interface DaemonSuite<F> {
  /** What `build` returned. */
  fixture: F;
  daemon: DaemonHandle;
  client: JsonRpcClient;
  /** Sysroot.GetDeployments through the client. */
  deployments(): Promise<Deployment[]>;
}

/**
 * The setup most API tests share, as hooks of the calling suite: a sysroot made by `build` in
 * a temporary directory (removed afterwards), the real daemon on it, and a connected client.
 * `stop` releases what the fixture holds (e.g. its HTTP server).
 */
export function daemonSuite<F extends { sysroot: string }>(
  build: (dir: string) => F | Promise<F>,
  stop: (fixture: F) => Promise<void> = async () => {},
): DaemonSuite<F> {
  const dir = tempSysrootDir();
  const suite = {
    deployments: async () => (await suite.client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments,
  } as DaemonSuite<F>;
  before(async () => {
    suite.fixture = await build(dir);
    suite.daemon = await startDaemon({ sysroot: suite.fixture.sysroot });
    suite.client = await JsonRpcClient.connect(suite.daemon.socket);
  });
  after(async () => {
    suite.client?.close();
    await suite.daemon?.stop();
    if (suite.fixture !== undefined) await stop(suite.fixture);
  });
  return suite;
}
