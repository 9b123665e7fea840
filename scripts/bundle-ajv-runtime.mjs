// An esbuild plugin that bundles ajv's run-time helpers into the daemon. The generated
// validators (src/generated/validators.ts, ajv's standalone ESM output) call them with a require()
// made by createRequire, which esbuild cannot follow: the bundle would then load ajv from
// node_modules at run time. Without those two preamble lines, require() is the bundle's own
// and esbuild bundles what it names (plain require semantics: the same module.exports).
import { readFile } from 'node:fs/promises';

const PREAMBLE = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n";

export const bundleAjvRuntime = {
  name: 'bundle-ajv-runtime',
  setup(build) {
    build.onLoad({ filter: /[\\/]generated[\\/]validators\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(PREAMBLE)) throw new Error(`${args.path}: the createRequire preamble is not there any more; update scripts/bundle-ajv-runtime.mjs`);
      return { contents: source.replace(PREAMBLE, ''), loader: 'js' };
    });
  },
};
