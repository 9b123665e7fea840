import { formatBytes } from '../../util/format-bytes.js';

export { formatBytes };

/** The fields of a transaction notification's params. */
export type EventParams = Record<string, unknown> & { transaction?: string };

/** What a DownloadProgress counts: OSTree objects unless it says otherwise (`packages`). */
function unit(p: EventParams): string {
  return typeof p.text === 'string' ? p.text : 'objects';
}

/** One line describing an event, for logs and non-terminal output; null: nothing to say. */
export function describeEvent(type: string, p: EventParams): string | null {
  switch (type) {
    case 'Queued':
      return `Queued: position ${String(p.position)}`;
    case 'Started':
      return `Started transaction ${String(p.transaction)}`;
    case 'Message':
      return String(p.text);
    case 'TaskBegin':
      return `${String(p.text)}...`;
    case 'TaskEnd':
      return `${String(p.text)}... done`;
    case 'PercentProgress':
      return `${String(p.text)}: ${String(p.percentage)}%`;
    case 'DownloadProgress': {
      const fetched = Number(p.objectsFetched ?? 0);
      const requested = Number(p.objectsRequested ?? 0);
      const rate = Number(p.bytesPerSecond ?? 0);
      return `Receiving ${unit(p)}: ${fetched}/${requested}, ${formatBytes(Number(p.bytesTransferred ?? 0))}${rate > 0 ? ` (${formatBytes(rate)}/s)` : ''}`;
    }
    case 'ProgressEnd':
      return null;
    case 'Finished':
      return p.success === true ? null : `Failed: ${String(p.errorMessage)}`;
    default:
      return `${type} ${JSON.stringify(p)}`;
  }
}

/** A download bar: `[#####.....] 50% 123/246 objects 1.2 MB 300 kB/s`. */
export function downloadBar(p: EventParams, width = 24): string {
  const fetched = Number(p.objectsFetched ?? 0);
  const requested = Number(p.objectsRequested ?? 0);
  const fraction = requested > 0 ? Math.min(1, fetched / requested) : 0;
  const filled = Math.round(fraction * width);
  const rate = Number(p.bytesPerSecond ?? 0);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ` +
    `${fetched}/${requested} ${unit(p)} ${formatBytes(Number(p.bytesTransferred ?? 0))}` +
    (rate > 0 ? ` ${formatBytes(rate)}/s` : '')
  );
}

/**
 * Shows transaction events. On a terminal one status line is redrawn in place (download bar,
 * current task, percent) and lasting lines are printed above it; elsewhere, one line per event.
 */
export class ProgressRenderer {
  private statusShown = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly tty: boolean,
  ) {}

  event(type: string, params: EventParams): void {
    if (!this.tty) {
      const line = describeEvent(type, params);
      if (line !== null) this.out.write(line + '\n');
      return;
    }
    switch (type) {
      case 'DownloadProgress':
        return this.status(`Receiving ${unit(params)} ${downloadBar(params)}`);
      case 'PercentProgress':
        return this.status(`${String(params.text)} ${String(params.percentage)}%`);
      case 'TaskBegin':
        return this.status(`${String(params.text)}...`);
      case 'ProgressEnd':
        return this.clearStatus();
      default: {
        const line = describeEvent(type, params);
        if (line !== null) this.line(line);
      }
    }
  }

  /** Leaves the terminal clean (before the final message or on exit). */
  finish(): void {
    this.clearStatus();
  }

  private status(text: string): void {
    this.out.write(`\r\x1b[2K${text}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) this.out.write('\r\x1b[2K');
    this.statusShown = false;
  }

  private line(text: string): void {
    this.clearStatus();
    this.out.write(text + '\n');
  }
}
