/** Package diffs as `rpm-ostree db diff` prints them: one section per kind of change. */

/** One entry as the API returns it (PackageDiffEntry). */
export interface DiffEntryView {
  name: string;
  change: 'added' | 'removed' | 'upgraded' | 'downgraded';
  previous: { version: string; architecture: string } | null;
  next: { version: string; architecture: string } | null;
}

const SECTIONS: [DiffEntryView['change'], string][] = [
  ['added', 'Added'],
  ['removed', 'Removed'],
  ['upgraded', 'Upgraded'],
  ['downgraded', 'Downgraded'],
];

/** `Upgraded:\n  libc6 2.36-9 -> 2.36-9+deb12u4 (amd64)\n` ...; "No package changes.\n" when empty. */
export function formatPackageDiff(changes: readonly DiffEntryView[]): string {
  if (changes.length === 0) return 'No package changes.\n';
  let out = '';
  for (const [kind, title] of SECTIONS) {
    const mine = changes.filter((c) => c.change === kind);
    if (mine.length === 0) continue;
    out += `${title}:\n`;
    for (const c of mine) {
      const p = c.previous;
      const n = c.next;
      if (p !== null && n !== null) {
        const arch = p.architecture === n.architecture ? n.architecture : `${p.architecture} -> ${n.architecture}`;
        out += `  ${c.name} ${p.version} -> ${n.version} (${arch})\n`;
      } else {
        const v = (n ?? p) as { version: string; architecture: string };
        out += `  ${c.name} ${v.version} (${v.architecture})\n`;
      }
    }
  }
  return out;
}

/** `2 upgraded, 1 added` (the kinds present, in section order). */
export function summarizePackageDiff(changes: readonly DiffEntryView[]): string {
  if (changes.length === 0) return 'no package changes';
  return SECTIONS.map(([kind]) => [kind, changes.filter((c) => c.change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}
