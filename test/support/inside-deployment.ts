/**
 * Runs a program of a deployed tree with that tree as / (read-only, its own /proc, /dev, /tmp
 * and /var, no network, nothing shared with the host), and returns its stdout: how the tests
 * see what a layering or an initramfs regeneration produced, as the booted system would.
 */
import { execFileSync } from 'node:child_process';

export function insideDeployment(root: string, argv: string[]): string {
  return execFileSync(
    'bwrap',
    ['--ro-bind', root, '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/var', '--unshare-all', '--die-with-parent', '--', ...argv],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } },
  );
}
