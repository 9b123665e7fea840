/**
 * Lazy access to the koffi module.
 *
 * koffi is loaded with `require` on first use instead of a static `import` so that
 * merely importing the OSTree backend (which the daemon does at start, before it
 * accepts connections) costs nothing: the native addon and the C libraries are only
 * touched when the sysroot is first read.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Koffi from 'koffi';

/** The koffi module's type, for callers that declare functions or structs. */
type KoffiModule = typeof Koffi;

/**
 * An opaque C pointer as koffi 3.x hands it to JavaScript: a bigint address.
 * NULL arrives as `null`, so nullable pointers are `Ptr | null`.
 */
export type Ptr = bigint;

let cached: KoffiModule | undefined;

/** The koffi module, loaded once per process on first call. */
export function koffi(): KoffiModule {
  return (cached ??= loadKoffi(createRequire(import.meta.url)));
}

/**
 * koffi's entry point finds its addon by reading node's ELF header and probing several paths,
 * ~5 ms of the daemon's cold start. The addon of the platform package is the same API: use it
 * directly when its version is the koffi package's, else the regular entry point.
 */
function loadKoffi(require: NodeJS.Require): KoffiModule {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(require.resolve('koffi')), 'package.json'), 'utf8')) as {
      version: string;
    };
    const platform = `${process.platform}-${process.arch}`;
    const addon = `@koromix/koffi-${platform}/${process.platform}_${process.arch}/koffi.node`;
    const native = require(addon) as KoffiModule & { version?: string };
    if (native.version === pkg.version) return native;
  } catch {
    // Another layout or platform: the entry point knows how to find the addon.
  }
  return require('koffi') as KoffiModule;
}
