import type { DeploymentObject as Deployment } from '../../api/method-types.js';
import { summarizePackageDiff, type DiffEntryView } from './package-diff-text.js';

/** Formats seconds since the epoch like rpm-ostree: 2024-01-31T12:00:00Z. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `key: value` lines with the keys right-aligned on one column, as rpm-ostree prints them. */
function fields(rows: [string, string][], indent: number): string[] {
  return rows.map(([key, value]) => `${' '.repeat(Math.max(0, indent - key.length))}${key}: ${value}`);
}

/** The lines describing one deployment (without the marker line); `verbose` adds where it lives. */
/** The name and the start of the sha256 of a local .deb entry (`NAME:SHA256`). */
const localName = (e: string): string => e.slice(0, e.lastIndexOf(':'));
const shortSha = (e: string): string => e.slice(e.lastIndexOf(':') + 1, e.lastIndexOf(':') + 13);

function deploymentFields(d: Deployment, verbose: boolean): [string, string][] {
  const rows: [string, string][] = [];
  const when = isoTime(d.timestamp);
  if (d.version !== null) rows.push(['Version', `${d.version} (${when})`]);
  else rows.push(['Timestamp', when]);
  if (verbose) {
    // The names other verbs take: `db list ID`, `kargs --deploy-index=N`.
    rows.push(['StateRoot', d.osname], ['Deployment', d.id], ['Index', String(d.index)]);
    if (d.kernelArgs.length > 0) rows.push(['KernelArgs', d.kernelArgs.join(' ')]);
  }
  if (d.baseChecksum !== null) rows.push(['BaseCommit', d.baseChecksum]);
  rows.push(['Commit', d.checksum]);
  if (d.staged) rows.push(['Staged', 'yes']);
  if (d.unlocked !== 'none') rows.push(['Unlocked', d.unlocked]);
  // rpm-ostree's rows for apply-live: what the running /usr has instead of the booted commit's.
  if (d.liveInprogress !== undefined) rows.push(['InterruptedLiveCommit', d.liveInprogress]);
  if (d.liveCommit !== undefined) rows.push(['LiveCommit', d.liveCommit]);
  // rpm-ostree's rows for overrides: removed base packages, then replaced ones (old → new is in db diff).
  if (d.removedBasePackages.length > 0) rows.push(['RemovedBasePackages', d.removedBasePackages.join(' ')]);
  const replaced = [
    ...d.replacedBasePackages.map((e) => e.replace('=', ' ')),
    ...d.requestedBaseLocalReplacements.map((e) => `${localName(e)} (local ${shortSha(e)})`),
  ];
  if (replaced.length > 0) rows.push(['ReplacedBasePackages', replaced.join(', ')]);
  // As rpm-ostree: the requested packages the commit has (their dependencies are not listed),
  // then those it does not have yet (RequestedPackages: inactive until the next layering).
  const layered = d.requestedPackages.filter((p) => d.layeredPackages.includes(p.replace(/[:=].*$/, '')));
  if (layered.length > 0) rows.push(['LayeredPackages', layered.join(' ')]);
  const inactive = d.requestedPackages.filter((p) => !layered.includes(p));
  if (inactive.length > 0) rows.push(['RequestedPackages', inactive.join(' ')]);
  // rpm-ostree's row for local packages: here the name and the start of the file's sha256.
  if (d.localPackages.length > 0) rows.push(['LocalPackages', d.localPackages.map((e) => `${localName(e)} (${shortSha(e)})`).join(' ')]);
  if (d.regenerateInitramfs) {
    rows.push(['Initramfs', d.initramfsArgs.length > 0 ? `regenerate ${d.initramfsArgs.join(' ')}` : 'regenerate']);
  }
  if (d.initramfsEtc.length > 0) rows.push(['InitramfsEtc', d.initramfsEtc.join(' ')]);
  if (d.pinned) rows.push(['Pinned', 'yes']);
  return rows;
}

/** Everything `apt-ostree status` needs to print. */
export interface StatusView {
  deployments: readonly Deployment[];
  transaction: { title: string; id: string } | null;
  sysrootPath: string;
  bootedOnly: boolean;
  /** `status -v`: also each deployment's stateroot, id, index and kernel arguments. */
  verbose?: boolean;
  /** The OS's cached update (`upgrade --check`), if any. */
  cachedUpdate?: { version: string | null; timestamp: number; checksum: string; packageDiff: DiffEntryView[] } | null;
  /** The automatic update policy and its last run, when known. */
  automaticUpdates?: { policy: string; lastRun: { at: string; mode: string } | null; driver?: string | null };
}

/** The human layout of `rpm-ostree status`: ● marks the booted deployment. */
export function formatStatus(view: StatusView): string {
  const lines: string[] = [];
  lines.push(view.transaction === null ? 'State: idle' : `State: busy\nTransaction: ${view.transaction.title}`);
  if (view.automaticUpdates !== undefined) {
    const { policy, lastRun } = view.automaticUpdates;
    lines.push(`AutomaticUpdates: ${policy}${lastRun === null ? '' : `; last run ${lastRun.at} (${lastRun.mode})`}`);
    // rpm-ostree's line for a registered driver (register-driver).
    if (view.automaticUpdates.driver) lines.push(`AutomaticUpdatesDriver: ${view.automaticUpdates.driver}`);
  }
  const shown = view.bootedOnly ? view.deployments.filter((d) => d.booted) : view.deployments;
  if (view.deployments.length === 0) {
    lines.push(`No deployments in ${view.sysrootPath}.`);
    return lines.join('\n') + '\n';
  }
  if (shown.length === 0) {
    lines.push(`Not booted into ${view.sysrootPath}: no booted deployment to show.`);
    return lines.join('\n') + '\n';
  }
  lines.push('Deployments:');
  const indent = Math.max(...shown.flatMap((d) => deploymentFields(d, view.verbose === true).map(([k]) => k.length))) + 8;
  shown.forEach((d, i) => {
    if (i > 0) lines.push('');
    const marker = d.booted ? '●' : ' ';
    lines.push(`${marker} ${d.osname}:${d.origin ?? '(no origin)'}`);
    lines.push(...fields(deploymentFields(d, view.verbose === true), indent));
  });
  const update = view.cachedUpdate;
  if (update !== undefined && update !== null) {
    lines.push('', 'AvailableUpdate:');
    lines.push(
      ...fields(
        [
          update.version !== null ? ['Version', `${update.version} (${isoTime(update.timestamp)})`] : ['Timestamp', isoTime(update.timestamp)],
          ['Commit', update.checksum],
          ['Diff', summarizePackageDiff(update.packageDiff)],
        ],
        indent,
      ),
    );
  }
  return lines.join('\n') + '\n';
}
