/** Every value of a repeatable `--name VALUE` / `--name=VALUE` option, in order. */
export function repeatedOption(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    if (rawArgs[i] === `--${name}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]);
    else if (rawArgs[i].startsWith(`--${name}=`)) values.push(rawArgs[i].slice(name.length + 3));
  }
  return values;
}
