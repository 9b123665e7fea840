/** The words of `rawArgs` that are not options (nor the value of `--os`); `--` ends options. */
export function packageArgs(rawArgs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i];
    if (a === '--') return [...out, ...rawArgs.slice(i + 1)];
    if (a === '--os') i++;
    else if (!a.startsWith('-')) out.push(a);
  }
  return out;
}
