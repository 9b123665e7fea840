import { join } from 'node:path';
import { buildRemoteSysroot, startStaticServer, type RemoteSysroot, type StaticServer } from '../../src/demo/remote-fixture.js';
import { daemonSuite, type DaemonSuite } from './daemon-suite.js';

/**
 * Whatever serves a remote fixture's repository at its URL: the fixture's own server at first;
 * {@link start} replaces it by a new one on the same port (slowed down when asked), {@link stop}
 * makes the remote unreachable. Call stop() when the suite ends.
 */
export interface ServerAtUrl {
  /** The server started last, null before the first start() and after stop(). */
  readonly current: StaticServer | null;
  /** Stops whatever serves the URL now and starts a server there with `delayMs` per answer. */
  start(delayMs?: number): Promise<StaticServer>;
  /** Stops whatever serves the URL (the fixture's server too). */
  stop(): Promise<void>;
}

export function serverAtUrl(remote: RemoteSysroot): ServerAtUrl {
  let current: StaticServer | null = null;
  const stop = async (): Promise<void> => {
    await remote.server.stop();
    await current?.stop();
    current = null;
  };
  return {
    get current() {
      return current;
    },
    async start(delayMs = 0) {
      await stop();
      current = await startStaticServer(remote.serverRepo, { port: remote.server.port, delayMs });
      return current;
    },
    stop,
  };
}

/** `count` small files of distinct content under usr/share/`tag` (an update of many objects). */
export function manyFiles(count: number, tag: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`usr/share/${tag}/file-${i}`] = `${tag}: content of file ${i}\n`;
  return files;
}

/** {@link daemonSuite} on a remote fixture whose URL is served through {@link serverAtUrl} (stopped at the end). */
export function remoteDaemonSuite(): { suite: DaemonSuite<RemoteSysroot>; url: () => ServerAtUrl } {
  let url: ServerAtUrl | undefined;
  const suite = daemonSuite(
    async (dir) => {
      const remote = await buildRemoteSysroot(join(dir, 'remote'));
      url = serverAtUrl(remote);
      return remote;
    },
    async () => url?.stop(),
  );
  return {
    suite,
    url: () => {
      if (url === undefined) throw new Error('the suite is not set up');
      return url;
    },
  };
}
