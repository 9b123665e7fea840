/**
 * Starts the live writer (writer-main.ts, bundled as dist/apt-ostreed-live.cjs) in the host's
 * mount namespace with a plan, and waits for it.
 */
import { spawn } from 'node:child_process';
import { bundlePath } from '../../util/bundle-path.js';
import { inHostNamespace } from './host-namespace.js';
import type { LivePlan } from './live-plan.js';

const WRITER_BUNDLE = 'apt-ostreed-live.cjs';

/** Runs the plan; `onLine` gets the writer's output lines. Rejects with the writer's error. */
export function runLiveWriter(plan: LivePlan, unitName: string, onLine: (line: string) => void): Promise<void> {
  const argv = inHostNamespace([process.execPath, bundlePath(WRITER_BUNDLE)], unitName);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) =>
      d
        .split('\n')
        .filter((l) => l.trim() !== '')
        .forEach(onLine),
    );
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 16384) err += d;
    });
    child.on('error', (e) => reject(new Error(`cannot start the live writer (${argv[0]}): ${e.message}`)));
    child.on('close', (code, signal) => {
      const warnings = err.split('\n').filter((l) => l.startsWith('warning: '));
      warnings.forEach((w) => onLine(w));
      if (code === 0) resolve();
      else
        reject(
          new Error(
            err
              .split('\n')
              .filter((l) => l.trim() !== '' && !l.startsWith('warning: '))
              .join('; ') || `the live writer ended (${signal ?? `exit ${code}`})`,
          ),
        );
    });
    child.stdin.end(JSON.stringify(plan));
  });
}
