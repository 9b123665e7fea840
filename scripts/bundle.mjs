// Bundles the daemon into one ESM file (dist/apt-ostreed.mjs). Loading ~40 small modules
// cost ~30 ms at start; one file costs ~8 ms, which is most of the cold-start budget
// (npm run bench). koffi stays external: it is a native addon.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/daemon/main.js'],
  outfile: 'dist/apt-ostreed.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['koffi'],
  logLevel: 'warning',
  // Bundled CommonJS dependencies (json-rpc-2.0) call require(); ESM has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
