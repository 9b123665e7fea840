/** The daemon's log lines: plain on a terminal or file, syslog priorities for journald. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../src/util/logger.js';
import { buildStandardSysroot } from '../src/demo/sysroot-builder.js';
import { join } from 'node:path';
import { startDaemon } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';

describe('logging', () => {
  it('prefixes journald priorities under systemd (JOURNAL_STREAM), else names the level; drops records below the level', () => {
    const lines: string[] = [];
    const journal = createLogger('info', (l) => lines.push(l), true);
    journal.error('e');
    journal.warn('w');
    journal.info('i');
    journal.debug('d');
    assert.deepEqual(lines, ['<3>e\n', '<4>w\n', '<6>i\n']);
    const plain: string[] = [];
    createLogger('debug', (l) => plain.push(l), false).debug('d', { a: 1 });
    assert.deepEqual(plain, ['apt-ostreed debug: d: {"a":1}\n']);
  });

  it('the daemon under systemd writes <6> lines; --verbose lets <7> debug lines through', async () => {
    const dir = tempSysrootDir();
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    const daemon = await startDaemon({ sysroot, env: { JOURNAL_STREAM: '8:1234' }, extraArgs: ['--verbose'] });
    try {
      // The line is written right after the socket listens, maybe after the test connected.
      await until(() => /^<6>listening on /m.test(daemon.stderr()), 5000, 'the listening line');
      // A Varlink message that is not a call closes its connection, logged at debug level.
      const { createConnection } = await import('node:net');
      await new Promise<void>((resolve) => {
        const s = createConnection(daemon.socket, () => s.write('{}\0'));
        s.on('close', () => resolve());
        s.resume();
      });
      await until(() => /^<7>closing a Varlink connection: not a Varlink call$/m.test(daemon.stderr()), 5000, 'the debug line');
    } finally {
      await daemon.stop();
    }
    await until(() => /^<6>SIGTERM: stopping$/m.test(daemon.stderr()), 5000, 'the stopping line');
  });
});
