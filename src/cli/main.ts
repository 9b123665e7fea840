import { parseArgs, renderUsage } from 'citty';
import { ConnectError, JsonRpcClient, RemoteError } from '../client/jsonrpc-client.js';
import { ExitCode, type CliContext, type CliIo } from './cli-context.js';
import { ALIASES, aliasesOf, VERB_LOADERS } from './commands/verbs.js';
import { PRODUCT_VERSION } from '../generated/version.js';

export { exitQuietlyOnBrokenPipe } from './broken-pipe.js';

/** Default socket of the daemon. */
export const DEFAULT_SOCKET = '/run/apt-ostreed.sock';

/** The usage text: it loads every verb for its description (a run of one verb loads only that one). */
async function usage(): Promise<string> {
  const { COMMANDS } = await import('./commands/index.js');
  const verbs = Object.entries(COMMANDS)
    .map(([name, c]) => {
      const aliases = aliasesOf(name);
      return `  ${name.padEnd(19)} ${describe(c.definition.meta)}${aliases.length === 0 ? '' : ` (also: ${aliases.join(', ')})`}`;
    })
    .join('\n');
  return `Usage: apt-ostree [--socket PATH] COMMAND [OPTIONS]

Atomic OS updates and package layering for Debian, through the apt-ostreed daemon.

Commands:
${verbs}

Global options:
  --socket PATH   Daemon socket (default: $APT_OSTREE_SOCKET or ${DEFAULT_SOCKET})
  -h, --help      Show help (also: apt-ostree COMMAND --help)
  --version       Show the version
`;
}

/** `apt-ostree --version`, in rpm-ostree's YAML-like shape (scripts read the Version line). */
export function versionText(): string {
  return `apt-ostree:\n Version: '${PRODUCT_VERSION}'\n`;
}

function describe(meta: unknown): string {
  return typeof meta === 'object' && meta !== null && 'description' in meta ? String(meta.description) : '';
}

/** Splits global options (before the verb) from the verb and its arguments. */
function splitGlobal(argv: string[]): { socket?: string; help: boolean; version?: true; verb?: string; rest: string[]; error?: string } {
  let socket: string | undefined;
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--socket') {
      if (i + 1 >= argv.length) return { help, rest: [], error: '--socket needs a path' };
      socket = argv[++i];
    } else if (a.startsWith('--socket=')) socket = a.slice('--socket='.length);
    else if (a === '-h' || a === '--help') help = true;
    else if (a === '--version') return { help, version: true, rest: [] };
    else if (a.startsWith('-')) return { help, rest: [], error: `unknown option ${a}` };
    else break;
  }
  return { socket, help, verb: argv[i], rest: argv.slice(i + 1) };
}

/**
 * The whole CLI: parses `argv`, runs the verb against the daemon, writes to `io`, returns the
 * exit code. Only the bin script touches the process.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const global = splitGlobal(argv);
  if (global.error !== undefined) {
    io.stderr.write(`apt-ostree: ${global.error}\n\n${await usage()}`);
    return ExitCode.Usage;
  }
  if (global.version === true) {
    io.stdout.write(versionText());
    return ExitCode.Ok;
  }
  if (global.verb === undefined) {
    (global.help ? io.stdout : io.stderr).write(await usage());
    return global.help ? ExitCode.Ok : ExitCode.Usage;
  }
  // Own properties only: `apt-ostree constructor` names no verb.
  const name = Object.hasOwn(ALIASES, global.verb) ? ALIASES[global.verb] : global.verb;
  const load = Object.hasOwn(VERB_LOADERS, name) ? VERB_LOADERS[name] : undefined;
  if (load === undefined) {
    io.stderr.write(`apt-ostree: unknown command "${global.verb}"\n\n${await usage()}`);
    return ExitCode.Usage;
  }
  const command = await load();
  // The socket may also follow the verb (`apt-ostree status --socket P`), as users type it.
  const rest = [...global.rest];
  let socket = global.socket;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--socket' && i + 1 < rest.length) {
      socket = rest[i + 1];
      rest.splice(i, 2);
      i--;
    } else if (rest[i].startsWith('--socket=')) {
      socket = rest[i].slice('--socket='.length);
      rest.splice(i, 1);
      i--;
    }
  }
  if (global.help || rest.includes('--help') || rest.includes('-h')) {
    const aliases = aliasesOf(name);
    io.stdout.write((await renderUsage(command.definition)) + '\n' + (aliases.length === 0 ? '' : `Also called: ${aliases.join(', ')}\n`));
    return ExitCode.Ok;
  }
  const argsDef = (typeof command.definition.args === 'object' ? command.definition.args : {}) as Record<string, { type?: string; alias?: string | string[] }>;
  const known = new Set(Object.entries(argsDef).flatMap(([name, def]) => [name, ...(def.alias === undefined ? [] : [def.alias].flat())]));
  const unknown = rest.find((a) => a.startsWith('-') && !known.has(a.replace(/^--?(no-)?/, '').split('=')[0]));
  if (unknown !== undefined) {
    io.stderr.write(`apt-ostree ${global.verb}: unknown option ${unknown}\n`);
    return ExitCode.Usage;
  }
  const args = parseArgs(rest, argsDef as Parameters<typeof parseArgs>[1]);
  const socketPath = socket ?? io.env.APT_OSTREE_SOCKET ?? DEFAULT_SOCKET;
  const ctx: CliContext = {
    io,
    socketPath,
    rawArgs: rest,
    connect: (onNotification) => JsonRpcClient.connect(socketPath, onNotification),
  };
  try {
    return await command.run(args, ctx);
  } catch (err) {
    return reportError(err, ctx);
  }
}

function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof ConnectError) {
    const hint =
      ctx.socketPath === DEFAULT_SOCKET
        ? 'Start the service with: systemctl start apt-ostreed.socket'
        : `Start the daemon with: apt-ostreed --socket ${ctx.socketPath}`;
    ctx.io.stderr.write(`error: ${err.message}\n${hint}\n`);
    return ExitCode.Failed;
  }
  if (err instanceof RemoteError) {
    ctx.io.stderr.write(`error: ${err.message} (${err.errorName || err.code})\n`);
    return ExitCode.Failed;
  }
  ctx.io.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
  return ExitCode.Failed;
}
