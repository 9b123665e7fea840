/**
 * apt-ostree-compose: builds a Debian OSTree commit from a tree file, and a bootable disk image
 * from a commit. A tool for the machine that builds images (it runs debootstrap and apt from a
 * mirror, as root), not part of the daemon.
 *
 *   apt-ostree-compose tree TREEFILE --repo REPO [--cache DIR]
 *   apt-ostree-compose image --repo REPO --ref REF --output DISK.img [--size 4G] [--osname debian]
 *                            [--remote NAME=URL] [--karg ARG]...
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { commitTree } from './commit-tree.js';
import { makeDiskImage } from './disk-image.js';
import { composeRoot } from './rootfs.js';
import { loadTreeFile } from './tree-file.js';

const USAGE = `Usage:
  apt-ostree-compose tree TREEFILE --repo REPO [--cache DIR]
      Builds the tree file's Debian root (debootstrap + apt, cached in DIR, default
      /var/cache/apt-ostree-compose) and commits it to REPO's branch with its version.
  apt-ostree-compose image --repo REPO --ref REF --output DISK.img [--size 4G] [--osname debian]
                           [--remote NAME=URL] [--karg ARG]...
      Writes a raw disk image (one ext4 filesystem, label apt-ostree-root) with REF deployed.
`;

function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`--size: "${s}" is not a size such as 4G`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
}

export function composeMain(argv: string[]): number {
  const [verb, ...rest] = argv;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  if (verb === 'tree') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { repo: { type: 'string' }, cache: { type: 'string' } } });
    if (positionals.length !== 1 || values.repo === undefined) throw new Error(`tree needs TREEFILE and --repo\n${USAGE}`);
    const tree = loadTreeFile(positionals[0]);
    const cache = values.cache ?? '/var/cache/apt-ostree-compose';
    const t0 = Date.now();
    const root = composeRoot(tree, cache, log);
    const csum = commitTree(tree, root, values.repo, join(cache, 'scratch'));
    log(`${tree.ref} ${tree.version} => ${csum} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    process.stdout.write(`${csum}\n`);
    return 0;
  }
  if (verb === 'image') {
    const { values } = parseArgs({
      args: rest,
      options: {
        repo: { type: 'string' },
        ref: { type: 'string' },
        output: { type: 'string' },
        size: { type: 'string', default: '4G' },
        osname: { type: 'string', default: 'debian' },
        remote: { type: 'string' },
        karg: { type: 'string', multiple: true, default: [] },
      },
    });
    if (values.repo === undefined || values.ref === undefined || values.output === undefined)
      throw new Error(`image needs --repo, --ref and --output\n${USAGE}`);
    let remote: { name: string; url: string } | undefined;
    if (values.remote !== undefined) {
      const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(values.remote);
      if (!m) throw new Error(`--remote: "${values.remote}" is not NAME=URL`);
      remote = { name: m[1], url: m[2] };
    }
    const csum = makeDiskImage({
      repo: values.repo,
      ref: values.ref,
      output: values.output,
      sizeBytes: parseSize(values.size),
      osname: values.osname,
      remote,
      extraKernelArgs: values.karg,
    });
    log(`${values.output}: ${values.ref} (${csum}) deployed`);
    return 0;
  }
  process.stdout.write(USAGE);
  return verb === undefined || verb === '--help' || verb === '-h' ? 0 : 2;
}
