/**
 * The daemon's log: one line per record on stderr. Under systemd (JOURNAL_STREAM set) each
 * line starts with its syslog priority (`<3>`), which journald understands. Kept tiny on
 * purpose: it is on the start path.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

export interface Logger {
  error(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  debug(message: string, detail?: unknown): void;
}

function describe(detail: unknown): string {
  if (detail === undefined) return '';
  if (detail instanceof Error) return ': ' + (detail.stack ?? detail.message);
  return ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail));
}

/** A logger writing to `out` (stderr by default), dropping records below `level`. */
export function createLogger(
  level: LogLevel = 'info',
  out: (line: string) => void = (line) => process.stderr.write(line),
  journal = process.env.JOURNAL_STREAM !== undefined,
): Logger {
  const threshold = PRIORITY[level];
  const write = (l: LogLevel) => (message: string, detail?: unknown) => {
    if (PRIORITY[l] > threshold) return;
    const prefix = journal ? `<${PRIORITY[l]}>` : `apt-ostreed ${l}: `;
    out(prefix + message + describe(detail) + '\n');
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}
