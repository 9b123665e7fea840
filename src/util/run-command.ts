/**
 * Running a program (argv array, never a shell) and collecting its output, failing with what
 * it wrote on stderr. For the tools the backends drive: ostree, dpkg-deb, cp, tar.
 */
import { execFile } from 'node:child_process';
import { dyingWithParent } from './die-with-parent.js';

const MAX_OUTPUT = 512 * 1024 * 1024;

/** stdout as bytes; rejects with `cmd args: stderr` when it fails. `input` goes to stdin. */
export function runCommandBuffer(cmd: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const [file, argv] = dyingWithParent(cmd, args);
    const child = execFile(file, argv, { encoding: 'buffer', maxBuffer: MAX_OUTPUT }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.toString('utf8').trim() || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** stdout as text. */
export async function runCommand(cmd: string, args: string[], input?: Buffer): Promise<string> {
  return (await runCommandBuffer(cmd, args, input)).toString('utf8');
}
