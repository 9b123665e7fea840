/**
 * `npm run fuzz`: hostile input on the daemon's socket in both framings, from many
 * connections at once, against a real daemon on a real sysroot. Prints what ran and exits
 * non-zero on any violation.
 *
 *   node dist/fuzz/fuzz.js [--inputs N] [--seconds S] [--seed X] [--connections C]
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { DEFAULT_OPTIONS, runFuzz } from './run-fuzz.js';

const USAGE = 'Usage: node dist/fuzz/fuzz.js [--inputs N] [--seconds S] [--seed X] [--connections C]\n';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        inputs: { type: 'string', default: String(DEFAULT_OPTIONS.inputs) },
        seconds: { type: 'string', default: String(DEFAULT_OPTIONS.seconds) },
        seed: { type: 'string' },
        connections: { type: 'string', default: String(DEFAULT_OPTIONS.connections) },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const numbers = [values.inputs, values.seconds, values.connections, values.seed ?? '0'].map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0) || numbers[2] < 1) {
    process.stderr.write(`fuzz: --inputs, --seconds, --connections and --seed take non-negative integers\n${USAGE}`);
    return 2;
  }
  const [inputs, seconds, connections] = numbers;
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : numbers[3];
  process.stdout.write(`fuzz: up to ${inputs} inputs or ${seconds} s, ${connections} connections, seed ${seed}\n`);
  const report = await runFuzz({ ...DEFAULT_OPTIONS, inputs, seconds, connections, seed, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
