/**
 * Lazy access to the koffi module.
 *
 * koffi is loaded with `require` on first use instead of a static `import` so that
 * merely importing the OSTree backend (which the daemon does at start, before it
 * accepts connections) costs nothing: the native addon and the C libraries are only
 * touched when the sysroot is first read.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

/** The koffi module's type, for callers that declare functions or structs. */
export type KoffiModule = typeof Koffi;

/**
 * An opaque C pointer as koffi 3.x hands it to JavaScript: a bigint address.
 * NULL arrives as `null`, so nullable pointers are `Ptr | null`.
 */
export type Ptr = bigint;

let cached: KoffiModule | undefined;

/** The koffi module, loaded once per process on first call. */
export function koffi(): KoffiModule {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = require('koffi') as KoffiModule;
  }
  return cached;
}
