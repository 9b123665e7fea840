import { t } from '../schema-builder.js';

/**
 * String types with the syntax of what they name, as named types: schema/types/ documents
 * each once and every method's validator shares its check. Every user value is checked by meaning
 * before it reaches libostree, apt or dpkg: none can start with `-` (so none can become an
 * option of a tool), none holds a NUL, a newline or shell syntax, and lengths are bounded.
 * The one exception is {@link InitramfsArg}: dracut options are what it is for (see there).
 */

/** `word` matched in any case, for JSON Schema patterns (which have no `i` flag). */
const anyCase = (word: string): string => [...word].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('');

/** Debian package name (policy §5.6.1): lowercase letters, digits, `+ - .`, two or more. */
const PACKAGE_NAME = '[a-z0-9][a-z0-9+.-]+';
/** Debian architecture, e.g. amd64, arm64, all. */
const ARCH = '[a-z0-9][a-z0-9-]*';
/** Debian version (policy §5.6.12): [epoch:]upstream[-revision], starting with a digit. */
const VERSION = '[0-9][A-Za-z0-9.+~:-]*';

export const PackageSpec = t.ref(
  'PackageSpec',
  t.string({
    pattern: `^${PACKAGE_NAME}(:${ARCH})?(=${VERSION})?$`,
    maxLength: 256,
    doc: 'A package: name, name=version, name:arch or name:arch=version (Debian syntax).',
  }),
);

export const PackageReplacement = t.ref(
  'PackageReplacement',
  t.string({
    pattern: `^${PACKAGE_NAME}(=${VERSION})?$`,
    maxLength: 256,
    doc: "A base package's replacement: name=version, or name for the version the configured sources offer (Debian syntax).",
  }),
);

export const PackageName = t.ref('PackageName', t.string({ pattern: `^${PACKAGE_NAME}$`, maxLength: 128, doc: 'A Debian package name.' }));

export const SearchTerm = t.ref(
  'SearchTerm',
  t.string({
    pattern: '^[A-Za-z0-9][A-Za-z0-9+.-]*$',
    maxLength: 128,
    doc: 'A word to search package names and descriptions for.',
  }),
);

/** An OSTree ref component: what libostree accepts, minus a leading `-` or `.`. */
const REF_PART = '[A-Za-z0-9_][A-Za-z0-9._-]*';

export const Refspec = t.ref(
  'Refspec',
  t.string({
    pattern: `^(${REF_PART}:)?${REF_PART}(/${REF_PART})*$`,
    maxLength: 512,
    doc: 'REMOTE:REF or REF, e.g. origin:debian/bookworm/x86_64.',
  }),
);

/** A version as commits carry it (ostree.version), e.g. 12.2 or 2026.12.07-1. */
const COMMIT_VERSION = '[A-Za-z0-9_][A-Za-z0-9._+~:-]*';

/** What rpm-ostree's parse_revision reads: `revision=CHECKSUM`, `version=VERSION` (any case), a checksum or a version. */
export const Revision = t.ref(
  'Revision',
  t.string({
    pattern: `^(${anyCase('revision')}=[0-9a-f]{64}|${anyCase('version')}=${COMMIT_VERSION}|[0-9a-f]{64}|${COMMIT_VERSION})$`,
    maxLength: 128,
    doc: 'A commit checksum (64 hex digits) or a version, e.g. 12.2; revision=CHECKSUM and version=VERSION say which.',
  }),
);

export const Checksum = t.ref('Checksum', t.string({ pattern: '^[0-9a-f]{64}$', doc: 'An OSTree commit checksum.' }));

export const OsName = t.ref(
  'OsName',
  t.string({
    pattern: `^${REF_PART}$`,
    maxLength: 64,
    doc: 'A stateroot (OS) name.',
  }),
);

export const DeploymentId = t.ref(
  'DeploymentId',
  t.string({
    pattern: `^${REF_PART}-[0-9a-f]{64}\\.[0-9]+$`,
    maxLength: 200,
    doc: 'A deployment id: <osname>-<checksum>.<serial>.',
  }),
);

export const TransactionId = t.ref(
  'TransactionId',
  t.string({
    pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    doc: 'A transaction id.',
  }),
);

/** One kernel argument: no NUL or newline, whitespace only inside double quotes. */
export const KernelArg = t.ref(
  'KernelArg',
  t.string({
    pattern: '^([^\\s"\\x00]|"[^"\\n\\r\\x00]*")+$',
    maxLength: 4096,
    doc: 'One kernel argument, e.g. quiet or console=ttyS0,115200 or foo="a b".',
  }),
);

export const KernelCmdline = t.ref(
  'KernelCmdline',
  t.string({
    pattern: '^[^\\n\\r\\x00]*$',
    maxLength: 65536,
    doc: 'A whole kernel command line.',
  }),
);

/**
 * One argument for the initramfs generator: unlike every other syntax here it may start with
 * `-`, because dracut options (`--add-drivers=virtio_blk`, `-I`) are what rpm-ostree's
 * `initramfs --arg` passes. It reaches the generator's argv only (dracut or mkinitramfs, run
 * on the tree), never apt, dpkg or ostree; it holds no blank, `;`, quote, NUL or newline, so it
 * stays one word of the argv and one item of the origin's `initramfs-args=` list.
 */
export const InitramfsArg = t.ref(
  'InitramfsArg',
  t.string({
    pattern: '^[A-Za-z0-9_=.,/:+-]+$',
    maxLength: 256,
    doc: 'One argument for the initramfs generator (dracut options such as --add-drivers=X are allowed).',
  }),
);

export const CommandLineText = t.ref(
  'CommandLineText',
  t.string({
    pattern: '^[^\\x00-\\x1f\\x7f]*$',
    maxLength: 4096,
    doc: 'A command line as text, for the record (no control characters); never run.',
  }),
);

export const ClientName = t.ref(
  'ClientName',
  t.string({
    pattern: '^[\\x20-\\x7e]*$',
    maxLength: 256,
    doc: 'A printable description of a client.',
  }),
);

export const OsNameOrDefault = t.ref(
  'OsNameOrDefault',
  t.string({
    pattern: `^(${REF_PART})?$`,
    maxLength: 64,
    doc: 'A stateroot (OS) name; "" means the default one.',
  }),
);

/**
 * A file of /etc to put into the initramfs (OS.InitramfsEtc): the syntax only keeps out what can
 * never be a path there (a leading `-`, control characters, and `;`, the separator of the
 * origin's `initramfs-etc=` list); that it is absolute, under /etc and without `..` is checked by
 * the method itself, so that the refusal names the path. It reaches file-system calls only.
 */
export const EtcPath = t.ref(
  'EtcPath',
  t.string({
    pattern: '^[^\\x00-\\x1f\\x7f;-][^\\x00-\\x1f\\x7f;]*$',
    maxLength: 4096,
    doc: 'A file of /etc, by its absolute path (e.g. /etc/crypttab).',
  }),
);
