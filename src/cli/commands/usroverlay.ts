/**
 * `apt-ostree usroverlay [--hotfix | --transient]`: a writable overlay over /usr of the booted
 * deployment, as rpm-ostree's usroverlay does it — `ostree admin unlock` run by the CLI itself,
 * as root, in the caller's mount namespace. Not through the daemon: its service runs with
 * PrivateMounts=yes, so an overlay it mounted would never be seen by anyone else. Development
 * (default): changes are lost at the next reboot; --hotfix: they persist (a new deployment
 * brings the pristine /usr back); --transient: read-only, writable in a new mount namespace.
 */
import { spawn } from 'node:child_process';
import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';

export const usroverlay = cliCommand({
  definition: defineCommand({
    meta: { name: 'usroverlay', description: 'Make /usr of the booted deployment writable with an overlay (ostree admin unlock); root only' },
    args: {
      hotfix: { type: 'boolean', description: 'Keep the changes across reboots' },
      transient: { type: 'boolean', description: 'Mount the overlay read-only (writable only in a new mount namespace)' },
    },
  }),
  methods: [],
  run: async (args, ctx) => {
    if (args.hotfix === true && args.transient === true) {
      ctx.io.stderr.write('apt-ostree usroverlay: --hotfix and --transient exclude each other\n');
      return ExitCode.Usage;
    }
    if (process.geteuid?.() !== 0) {
      ctx.io.stderr.write('apt-ostree usroverlay: must be run as root (it mounts an overlay over /usr in your mount namespace)\n');
      return ExitCode.Failed;
    }
    const mode = args.hotfix === true ? ['--hotfix'] : args.transient === true ? ['--transient'] : [];
    return new Promise((resolve) => {
      const child = spawn('ostree', ['admin', 'unlock', ...mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => ctx.io.stdout.write(d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => ctx.io.stderr.write(d.toString('utf8')));
      child.on('error', (e) => {
        ctx.io.stderr.write(`apt-ostree usroverlay: cannot run ostree: ${e.message}\n`);
        resolve(ExitCode.Failed);
      });
      child.on('close', (code) => resolve(code === 0 ? ExitCode.Ok : ExitCode.Failed));
    });
  },
});
