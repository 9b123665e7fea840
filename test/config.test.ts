import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiError } from '../src/api/errors.js';
import { DEFAULT_CONFIG, loadConfig, parseConfig } from '../src/config/daemon-config.js';
import { DAEMON_BIN } from './support/repo-root.js';

describe('apt-ostreed.conf', () => {
  it('reads every key of apt-ostreed.conf', () => {
    const config = parseConfig(
      `# comment
[Daemon]
IdleExitTimeout=0
AutomaticUpdatePolicy=stage
LockLayering=true
DisableRecommends=true
MaxConcurrentDownloads=8
DownloadTimeout=30
RefreshMdMaxAge=600
RebootCommand=/bin/true --now

[Experimental]
Enabled=true
LiveFs=false
`,
      'test.conf',
    );
    assert.deepEqual(config, {
      idleExitTimeout: 0,
      automaticUpdatePolicy: 'stage',
      lockLayering: true,
      disableRecommends: true,
      maxConcurrentDownloads: 8,
      downloadTimeout: 30,
      refreshMdMaxAge: 600,
      rebootCommand: ['/bin/true', '--now'],
      experimentalEnabled: true,
      liveFs: false,
    });
  });

  it('defaults: Recommends installed, no automatic updates, systemctl reboot', () => {
    assert.deepEqual(parseConfig('', 'empty'), DEFAULT_CONFIG);
    assert.equal(DEFAULT_CONFIG.disableRecommends, false);
    assert.deepEqual(DEFAULT_CONFIG.rebootCommand, ['systemctl', 'reboot']);
    assert.deepEqual(loadConfig('/nonexistent/apt-ostreed.conf'), DEFAULT_CONFIG);
  });

  it('refuses unknown sections and keys, bad values and bad syntax with InvalidConfig naming the problem', () => {
    const bad: [string, RegExp][] = [
      ['[Daemon]\nAutomaticUpdatePolicy=sometimes\n', /AutomaticUpdatePolicy must be none, check or stage/],
      ['[Daemon]\nLockLayering=yes\n', /LockLayering must be true or false/],
      ['[Daemon]\nMaxConcurrentDownloads=0\n', /MaxConcurrentDownloads must be an integer/],
      ['[Daemon]\nIdleExitTimeout=-5\n', /IdleExitTimeout/],
      ['[Daemon]\nColour=blue\n', /unknown key Colour in \[Daemon\]/],
      ['[Extras]\nA=b\n', /unknown section \[Extras\]/],
      ['IdleExitTimeout=5\n', /^x\.conf:1: key outside of any \[Section\]/],
      ['[Daemon]\njust words\n', /^x\.conf:2: expected key=value/],
      ['# comment\n[Daemon]\nLockLayering=true\n\nDownloadTimeout=never\n', /^x\.conf:5: DownloadTimeout must be an integer/],
    ];
    for (const [text, message] of bad) {
      assert.throws(
        () => parseConfig(text, 'x.conf'),
        (e: ApiError) => {
          assert.equal(e.errorName, 'InvalidConfig');
          assert.match(e.message, message);
          assert.match(e.message, /^x\.conf:\d+: /);
          return true;
        },
      );
    }
  });

  it('the daemon refuses to start on an invalid configuration, saying why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-config-'));
    try {
      const conf = join(dir, 'bad.conf');
      writeFileSync(conf, '[Daemon]\nAutomaticUpdatePolicy=always\n');
      const r = spawnSync(process.execPath, [DAEMON_BIN, '--config', conf, '--socket', join(dir, 's.sock')], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /AutomaticUpdatePolicy must be none, check or stage/);
      const usage = spawnSync(process.execPath, [DAEMON_BIN, '--no-such-option'], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /Usage: apt-ostreed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
