/** The fuzzer's summary: a table per generator, memory, coverage, and any violations in full. */
import { mb, type FuzzReport } from './run-fuzz.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** One line per flood: the root reader's latency and the daemon's RSS, with their bounds. */
function floodLines(r: FuzzReport): string[] {
  if (r.floods.length === 0) return [];
  const lines = [
    `floods by one unprivileged user (${r.options.floodUser}); a root read's latency meanwhile (bound p99 ${r.options.rootLatencyBoundMs} ms), the daemon's RSS (bound ${mb(r.options.rssBoundBytes)} MB):`,
  ];
  for (const f of r.floods) {
    const l = f.rootLatency;
    lines.push(
      `  ${f.name}: root read p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms over ${l.count} reads; RSS ${mb(f.rssStart)} -> peak ${mb(f.rssPeak)} MB; client ${JSON.stringify(f.client)}`,
    );
  }
  return lines;
}

export function formatReport(r: FuzzReport): string {
  const rows = [['generator', 'inputs', 'messages', 'replies', 'closes', 'abandoned', 'dropped', 'violations']];
  const total = [0, 0, 0, 0, 0, 0, 0];
  for (const [name, c] of [...r.tally.byGenerator].sort()) {
    const values = [c.inputs, c.messages, c.replies, c.closes, c.abandoned, c.dropped, c.violations];
    values.forEach((v, i) => (total[i] += v));
    rows.push([name, ...values.map(String)]);
  }
  rows.push(['total', ...total.map(String)]);
  const out = [
    table(rows),
    '',
    `varieties: ${[...r.tally.varieties]
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `deliveries: ${[...r.tally.deliveries]
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `schema targets covered: ${r.coverage.covered} of ${r.coverage.targets} (method, parameter) pairs`,
    `daemon RSS: start ${mb(r.rss.start)} MB, peak ${mb(r.rss.peak)} MB (bound ${mb(r.options.rssBoundBytes)}), after ${mb(r.rss.end)} MB (bound ${mb(r.rss.start + r.options.rssSettleBytes)}); by quarter of the inputs: ${r.rss.quarters.map(mb).join(', ')} MB`,
    ...floodLines(r),
    `inputs run: ${r.tally.inputs} in ${(r.elapsedMs / 1000).toFixed(1)} s over ${r.options.connections} connections at a time; seed ${r.options.seed}`,
  ];
  for (const v of r.tally.violations) {
    out.push(
      '',
      `VIOLATION: ${v.reason}`,
      `  seed ${v.seed} worker ${v.worker} input ${v.input}: ${v.generator}/${v.variety}, ${v.framing}, ${v.delivery}, ${v.sentBytes} bytes sent:`,
      `  ${v.sent}`,
    );
  }
  if (r.tally.violationCount > r.tally.violations.length) out.push(`(${r.tally.violationCount - r.tally.violations.length} more violations not shown)`);
  for (const v of r.runViolations) out.push('', `VIOLATION: ${v}`);
  out.push('', r.ok ? 'PASS: no violations' : `FAIL: ${r.tally.violationCount + r.runViolations.length} violation(s); rerun with --seed ${r.options.seed}`);
  return out.join('\n');
}
