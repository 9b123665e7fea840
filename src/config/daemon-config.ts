import { readFileSync } from 'node:fs';
import { ApiError } from '../api/errors.js';
import { IniSyntaxError, parseIniEntries } from './ini.js';

/** Default location of the configuration file. */
export const DEFAULT_CONFIG_PATH = '/etc/apt-ostreed/apt-ostreed.conf';

type AutomaticUpdatePolicy = 'none' | 'check' | 'stage';

/** The daemon's configuration: the keys of src/config/apt-ostreed.conf, with its defaults. */
export interface DaemonConfig {
  idleExitTimeout: number;
  automaticUpdatePolicy: AutomaticUpdatePolicy;
  lockLayering: boolean;
  disableRecommends: boolean;
  maxConcurrentDownloads: number;
  downloadTimeout: number;
  /** Seconds after which layering refreshes the APT lists first. */
  refreshMdMaxAge: number;
  rebootCommand: string[];
  experimentalEnabled: boolean;
  liveFs: boolean;
}

export const DEFAULT_CONFIG: DaemonConfig = {
  idleExitTimeout: 60,
  automaticUpdatePolicy: 'none',
  lockLayering: false,
  disableRecommends: false,
  maxConcurrentDownloads: 4,
  downloadTimeout: 300,
  refreshMdMaxAge: 21600,
  rebootCommand: ['systemctl', 'reboot'],
  experimentalEnabled: false,
  // apply-live is rpm-ostree's stable verb: on unless the administrator turns it off.
  liveFs: true,
};

type Parser = (value: string, key: string) => Partial<DaemonConfig>;

function bool(field: keyof DaemonConfig): Parser {
  return (value, key) => {
    if (value === 'true' || value === 'false') return { [field]: value === 'true' };
    throw new Error(`${key} must be true or false, got "${value}"`);
  };
}

function count(field: keyof DaemonConfig, min: number, max: number): Parser {
  return (value, key) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new Error(`${key} must be an integer in ${min}..${max}, got "${value}"`);
    return { [field]: n };
  };
}

const KEYS: Record<string, Record<string, Parser>> = {
  Daemon: {
    IdleExitTimeout: count('idleExitTimeout', 0, 86400),
    AutomaticUpdatePolicy: (value, key) => {
      if (value === 'none' || value === 'check' || value === 'stage') return { automaticUpdatePolicy: value };
      throw new Error(`${key} must be none, check or stage, got "${value}"`);
    },
    LockLayering: bool('lockLayering'),
    DisableRecommends: bool('disableRecommends'),
    MaxConcurrentDownloads: count('maxConcurrentDownloads', 1, 64),
    DownloadTimeout: count('downloadTimeout', 1, 86400),
    RefreshMdMaxAge: count('refreshMdMaxAge', 0, 31536000),
    RebootCommand: (value, key) => {
      // Split on whitespace only: the command is exec'd with an argv array, never by a shell.
      const argv = value.split(/\s+/).filter((w) => w !== '');
      if (argv.length === 0) throw new Error(`${key} must not be empty`);
      return { rebootCommand: argv };
    },
  },
  Experimental: {
    Enabled: bool('experimentalEnabled'),
    LiveFs: bool('liveFs'),
  },
};

/**
 * Parses configuration text; any unknown section or key, or bad value, is InvalidConfig naming
 * the file, the line and the reason (`path:3: DownloadTimeout must be ...`).
 */
export function parseConfig(text: string, source: string): DaemonConfig {
  const config: DaemonConfig = { ...DEFAULT_CONFIG };
  let at = 0;
  try {
    for (const entry of parseIniEntries(text)) {
      at = entry.line;
      const known = KEYS[entry.section];
      if (known === undefined) throw new Error(`unknown section [${entry.section}]`);
      if (entry.key === null) continue;
      const parse = known[entry.key];
      if (parse === undefined) throw new Error(`unknown key ${entry.key} in [${entry.section}]`);
      Object.assign(config, parse(entry.value, entry.key));
    }
  } catch (err) {
    const line = err instanceof IniSyntaxError ? err.line : at;
    const reason = err instanceof IniSyntaxError ? err.message.replace(/^line \d+: /, '') : err instanceof Error ? err.message : String(err);
    throw new ApiError('InvalidConfig', `${source}:${line}: ${reason}`, { path: source, line });
  }
  return config;
}

/** Reads the configuration file; a missing file means the defaults. */
export function loadConfig(path: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_CONFIG };
    throw new ApiError('InvalidConfig', `${path}: ${(err as Error).message}`, { path });
  }
  return parseConfig(text, path);
}
