import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressRenderer, describeEvent, downloadBar, formatBytes } from '../src/cli/format/progress-renderer.js';

describe('CLI progress display', () => {
  it('formats bytes and the download bar', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1500), '1.5 kB');
    assert.equal(formatBytes(2_500_000), '2.5 MB');
    assert.equal(
      downloadBar({ objectsFetched: 5, objectsRequested: 10, bytesTransferred: 2000, bytesPerSecond: 1000 }, 10),
      '[#####.....] 50% 5/10 objects 2.0 kB 1.0 kB/s',
    );
  });

  it('off a terminal: one plain line per event', () => {
    let out = '';
    const r = new ProgressRenderer({ write: (s: string) => (out += s) }, false);
    r.event('Started', { transaction: 'T' });
    r.event('TaskBegin', { transaction: 'T', text: 'Receiving objects' });
    r.event('DownloadProgress', { transaction: 'T', objectsFetched: 1, objectsRequested: 2, bytesTransferred: 10 });
    r.event('ProgressEnd', { transaction: 'T' });
    r.event('Finished', { transaction: 'T', success: true, errorMessage: '' });
    assert.equal(out, 'Started transaction T\nReceiving objects...\nReceiving objects: 1/2, 10 B\n');
    assert.ok(!out.includes('\x1b'), 'no escape sequences');
  });

  it('on a terminal: one status line redrawn in place, lasting lines above it', () => {
    let out = '';
    const r = new ProgressRenderer({ write: (s: string) => (out += s) }, true);
    r.event('DownloadProgress', { objectsFetched: 1, objectsRequested: 4, bytesTransferred: 100 });
    r.event('DownloadProgress', { objectsFetched: 4, objectsRequested: 4, bytesTransferred: 400 });
    r.event('Message', { text: 'Upgraded' });
    r.finish();
    const frames = out.split('\r\x1b[2K');
    assert.ok(frames.some((f) => f.startsWith('Receiving objects [######') && f.includes('25% 1/4')));
    assert.ok(frames.some((f) => f.includes('100% 4/4')));
    assert.ok(out.includes('\r\x1b[2KUpgraded\n'), 'the status line is cleared before a lasting line');
    assert.equal(describeEvent('Finished', { success: false, errorMessage: 'boom' }), 'Failed: boom');
  });
});
