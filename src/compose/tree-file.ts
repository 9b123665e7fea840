/**
 * The compose tree file: what `apt-ostree-compose tree` builds, in a small JSON file — like
 * rpm-ostree's treefile, for Debian. Its JSON Schema (schema/compose-tree.json) is generated
 * from the declaration below; a file that does not match it is refused with the field named.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { t, type Static } from '../api/schema-builder.js';
import { toJsonSchema } from '../generators/json-schema.js';

const packageName = t.string({ pattern: '^[a-z0-9][a-z0-9+.-]+$', doc: 'A Debian package name.' });
/** A path in the tree: /usr or /etc only (/var is the machine's, rebuilt by tmpfiles at boot). */
const treePath = t.string({
  pattern: '^/(usr|etc)(/(?!\\.\\.?(/|$))[^/\\0]+)+$',
  maxLength: 4096,
  doc: 'An absolute path under /usr or /etc, without . or .. components.',
});
const unitName = t.string({ pattern: '^[A-Za-z0-9:_.@\\\\-]+\\.(service|socket|timer|path|mount|target)$' });

const TREE_FILE = t.object(
  {
    ref: t.string({
      pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$',
      maxLength: 255,
      doc: 'The OSTree branch the commit goes to, e.g. debian/13/x86_64/minimal.',
    }),
    version: t.string({
      pattern: '^[A-Za-z0-9.+~_-]+$',
      maxLength: 64,
      doc: "The commit's version (its `version` metadata); a higher one in the same repo is an upgrade.",
    }),
    suite: t.string({ pattern: '^[a-z]+$', doc: 'The Debian suite debootstrap installs, e.g. trixie.' }),
    mirror: t.optional(t.string({ pattern: '^(https?|file):/', doc: 'The Debian mirror. Default http://deb.debian.org/debian.' })),
    components: t.optional(t.array(t.string({ pattern: '^[a-z-]+$' }), { doc: 'Archive components. Default ["main"].' })),
    packages: t.array(packageName, { doc: "Packages installed on top of debootstrap's minimal base (with their dependencies, without Recommends)." }),
    'local-packages': t.optional(
      t.array(t.string({ minLength: 1, doc: 'Path of a .deb, relative to the tree file.' }), {
        doc: ".deb files installed with the packages (e.g. apt-ostreed's own).",
      }),
    ),
    'kernel-args': t.optional(
      t.array(t.string({ pattern: '^[^\\s]+$' }), { doc: 'Kernel arguments of a machine deployed from this commit (the image step adds root=).' }),
    ),
    'add-files': t.optional(
      t.array(
        t.object({
          source: t.string({ minLength: 1, doc: 'Relative to the tree file.' }),
          dest: treePath,
          mode: t.optional(t.string({ pattern: '^0?[0-7]{3,4}$' })),
        }),
        {
          doc: 'Files copied into the tree (after the packages).',
        },
      ),
    ),
    'remove-files': t.optional(t.array(treePath, { doc: 'Files removed from the tree (after the packages).' })),
    units: t.optional(
      t.object({
        enable: t.optional(t.array(unitName, { doc: 'Units enabled as `systemctl enable` would (their [Install] section).' })),
        mask: t.optional(t.array(unitName, { doc: 'Units masked (linked to /dev/null).' })),
      }),
    ),
  },
  { doc: 'An apt-ostree-compose tree file.' },
);

type TreeFile = Static<typeof TREE_FILE>;

/** The tree file with its relative paths resolved and its defaults filled in. */
export interface Tree {
  ref: string;
  version: string;
  suite: string;
  mirror: string;
  components: string[];
  packages: string[];
  localPackages: string[];
  kernelArgs: string[];
  addFiles: { source: string; dest: string; mode?: number }[];
  removeFiles: string[];
  enableUnits: string[];
  maskUnits: string[];
}

/** A tree file that cannot be used: the message names the field and why. */
export class TreeFileError extends Error {
  override readonly name = 'TreeFileError';
}

export function treeFileSchema(): Record<string, unknown> {
  return { $id: 'urn:apt-ostree:schema:compose-tree', ...toJsonSchema(TREE_FILE) };
}

/** Reads and checks a tree file. */
export function loadTreeFile(path: string): Tree {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TreeFileError(`${path}: ${(e as Error).message}`);
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile<TreeFile>(treeFileSchema());
  if (!validate(data)) {
    const errs = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(top)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`,
    );
    throw new TreeFileError(`${path}: ${errs.join('; ')}`);
  }
  const base = dirname(resolve(path));
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ref: data.ref,
    version: data.version,
    suite: data.suite,
    mirror: data.mirror ?? 'http://deb.debian.org/debian',
    components: data.components ?? ['main'],
    packages: [...data.packages],
    localPackages: (data['local-packages'] ?? []).map(at),
    kernelArgs: data['kernel-args'] ?? [],
    addFiles: (data['add-files'] ?? []).map((f) => ({ source: at(f.source), dest: f.dest, ...(f.mode === undefined ? {} : { mode: parseInt(f.mode, 8) }) })),
    removeFiles: data['remove-files'] ?? [],
    enableUnits: data.units?.enable ?? [],
    maskUnits: data.units?.mask ?? [],
  };
}
