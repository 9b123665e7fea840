/**
 * Kernel command line tokenizing, as the kernel's own parser (lib/cmdline.c next_arg)
 * does it: whitespace separates arguments except inside double quotes, and the quotes
 * stay part of the argument (`foo="a b"` is one argument, spelled with its quotes).
 * An unterminated quote runs to the end of the line.
 */

const SPACE = /[ \t\n\r\f\v]/;

/** Splits a kernel command line (e.g. a BLS `options` line) into arguments. */
export function splitKernelCmdline(s: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inQuote = false;
  let inToken = false;
  for (const c of s) {
    if (!inQuote && SPACE.test(c)) {
      if (inToken) args.push(cur);
      cur = '';
      inToken = false;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    cur += c;
    inToken = true;
  }
  if (inToken) args.push(cur);
  return args;
}
