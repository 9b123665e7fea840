/**
 * The method table is the single source of truth: its invariants, and the generated files
 * (schema/, precompiled validators) must match it exactly.
 */
import { createLogger } from '../src/util/logger.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_TABLE, ProtocolError } from '../src/api/errors.js';
import { validateParams } from '../src/dispatcher/params-validation.js';
import { METHODS } from '../src/api/method-table.js';
import { POLKIT_ACTIONS } from '../src/api/polkit-actions.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { DEFAULT_CONFIG } from '../src/config/daemon-config.js';
import { GENERATED_DIRS, generatedArtifacts, isHandwritten } from '../src/generators/artifacts.js';
import { authorizationTable } from '../src/generators/authorization-table.js';
import { readHandlers } from '../src/handlers/read-handlers.js';
import { controlHandlers } from '../src/handlers/control-handlers.js';
import { ClientRegistry } from '../src/services/client-registry.js';
import { operationHandlers } from '../src/handlers/operation-handlers.js';
import { OPERATION_METHODS } from '../src/worker/operation-registry.js';
import { transactionHandlers } from '../src/handlers/transaction-handlers.js';
import type { TransactionManager } from '../src/transactions/transaction-manager.js';
import { SysrootService } from '../src/services/sysroot-service.js';
import { REPO_ROOT } from './support/repo-root.js';

/** Methods docs/design-decisions.md lists, by interface. */
const EXPECTED = {
  Sysroot: ['GetDeployments', 'GetProperties', 'GetOS', 'Reload', 'ReloadConfig', 'RegisterClient', 'UnregisterClient'],
  OS: [
    'GetProperties',
    'Search',
    'WhatProvides',
    'GetPackages',
    'GetDeploymentsAptDiff',
    'GetCachedUpdateAptDiff',
    'GetCachedDeployAptDiff',
    'GetCachedRebaseAptDiff',
    'GetDeploymentBootConfig',
    'ListPackages',
    'ListRepos',
    'Deploy',
    'Upgrade',
    'Rollback',
    'ClearRollbackTarget',
    'Rebase',
    'PkgChange',
    'Override',
    'KernelArgs',
    'SetInitramfsState',
    'InitramfsEtc',
    'Cleanup',
    'ApplyLive',
    'UpdateDeployment',
    'FinalizeDeployment',
    'RefreshMd',
    'AutomaticUpdateTrigger',
  ],
  Transaction: ['List', 'Get', 'Watch', 'History', 'Cancel'],
};

/** The polkit map of docs/design-decisions.md ("Authorization"). */
const ACTIONS: Record<string, string | null> = {
  'OS.Deploy': 'deploy',
  'OS.Upgrade': 'upgrade',
  'OS.AutomaticUpdateTrigger': 'upgrade',
  'OS.Rebase': 'rebase',
  'OS.Rollback': 'rollback',
  'OS.PkgChange': 'install-uninstall-packages',
  'OS.Override': 'override',
  'OS.KernelArgs': 'bootconfig',
  'OS.SetInitramfsState': 'bootconfig',
  'OS.InitramfsEtc': 'bootconfig',
  'OS.Cleanup': 'cleanup',
  'OS.ApplyLive': 'install-uninstall-packages',
  'OS.ClearRollbackTarget': 'cleanup',
  'OS.RefreshMd': 'repo-refresh',
  'OS.FinalizeDeployment': 'finalize-deployment',
  'Sysroot.ReloadConfig': 'reload-daemon',
  'Transaction.Cancel': 'cancel',
  'Sysroot.Reload': 'reload-daemon',
  'Sysroot.RegisterClient': null,
  'Sysroot.UnregisterClient': null,
};

describe('the method table', () => {
  it('declares exactly the methods docs/design-decisions.md lists, once each', () => {
    const names = METHODS.map((m) => m.name);
    assert.equal(new Set(names).size, names.length, 'no duplicates');
    const expected = Object.entries(EXPECTED).flatMap(([iface, members]) => members.map((m) => `${iface}.${m}`));
    assert.deepEqual([...names].sort(), [...expected].sort());
  });

  it('gives every method a kind, a one-line doc and a closed params schema', () => {
    for (const m of METHODS) {
      assert.ok(['read', 'transaction', 'control'].includes(m.kind), m.name);
      assert.ok(m.doc.length > 10 && !m.doc.includes('\n'), m.name);
      assert.equal(m.params.kind, 'object', m.name);
    }
  });

  it('follows the polkit map: read methods need nothing, transactions and guarded controls their action', () => {
    for (const m of METHODS) {
      if (m.kind === 'read') assert.equal(m.action, null, m.name);
      if (m.kind === 'transaction') assert.notEqual(m.action, null, m.name);
      if (m.name in ACTIONS) assert.equal(m.action, ACTIONS[m.name], m.name);
      if (m.action !== null) assert.ok(m.action in POLKIT_ACTIONS, m.name);
    }
    const update = METHODS.find((m) => m.name === 'OS.UpdateDeployment');
    assert.ok(update?.selectAction);
    const pick = update.selectAction as (p: unknown) => string;
    const options = {};
    assert.equal(pick({ modifiers: { setRefspec: 'a:b', installPackages: ['x'] }, options }), 'rebase');
    // A revision with package changes is refused before authorization (NotImplemented).
    assert.equal(pick({ modifiers: { setRevision: 'abc', installPackages: ['x'] }, options }), 'install-uninstall-packages');
    assert.equal(pick({ modifiers: { setRevision: 'abc' }, options }), 'deploy');
    assert.equal(pick({ modifiers: { installPackages: [] }, options }), 'upgrade', 'an empty list asks for nothing');
    assert.equal(pick({ modifiers: { uninstallPackages: ['x'] }, options }), 'install-uninstall-packages');
    assert.equal(pick({ modifiers: {}, options }), 'upgrade');
  });

  it('gives every transaction method the common options', () => {
    for (const m of METHODS.filter((x) => x.kind === 'transaction')) {
      for (const option of ['osname', 'detach', 'noQueue', 'allowInteractiveAuthentication']) {
        assert.ok(option in m.params.props, `${m.name} lacks ${option}`);
      }
    }
  });

  it('lets every method that may ask polkit accept allowInteractiveAuthentication (the refusal suggests it)', () => {
    for (const m of METHODS.filter((x) => x.action !== null)) {
      assert.ok('allowInteractiveAuthentication' in m.params.props, `${m.name} names an action but refuses allowInteractiveAuthentication`);
      if (m.kind === 'control') validateParams(m, { allowInteractiveAuthentication: true });
    }
  });

  it('accepts the revision=CHECKSUM and version=VERSION forms of a Deploy revision, and nothing option-like', () => {
    const deploy = METHODS.find((m) => m.name === 'OS.Deploy');
    assert.ok(deploy);
    for (const revision of [`revision=${'a'.repeat(64)}`, 'version=12.2', 'VERSION=2026.12.07-1', 'Revision=' + 'b'.repeat(64), '12.2', 'c'.repeat(64)]) {
      validateParams(deploy, { revision });
    }
    for (const revision of ['revision=12.2', 'version=', 'version=-x', '=12.2', '-12', 'version=a b', 'rev=12']) {
      assert.throws(
        () => validateParams(deploy, { revision }),
        (e: Error) => e instanceof ProtocolError,
        revision,
      );
    }
  });

  it('implements every method: the operations from the registry, the rest by hand', () => {
    const sysroot = new SysrootService('/nonexistent');
    // Only the keys are read: no handler is called, so no engine is needed.
    const manager = {} as TransactionManager;
    const handlers = {
      ...readHandlers({ sysroot, config: () => DEFAULT_CONFIG, activeTransaction: () => null, cacheDir: '/nonexistent', stateDir: '/nonexistent' }),
      ...operationHandlers({ manager, sysroot, config: () => DEFAULT_CONFIG, cacheDir: '/nonexistent' }).handlers,
      ...transactionHandlers({ manager, sysroot, config: () => DEFAULT_CONFIG, stateDir: '/nonexistent', log: createLogger('error') }),
      ...controlHandlers({ reloadConfig: () => {}, reloadSysroot: () => {}, clients: new ClientRegistry(() => {}) }),
    };
    for (const m of METHODS) assert.ok(m.name in handlers, `${m.name} has a handler`);
    const transactionMethods = METHODS.filter((m) => m.kind === 'transaction').map((m) => m.name);
    assert.deepEqual(
      [...OPERATION_METHODS].sort(),
      transactionMethods.filter((n) => n !== 'OS.AutomaticUpdateTrigger').sort(),
      'one operation per transaction method (the trigger starts an Upgrade)',
    );
  });

  it("only names errors of the error table, and the table's codes are unique and in range", () => {
    const codes = Object.values(ERROR_TABLE).map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.ok(code <= -32000 && code >= -32099);
    for (const m of METHODS) for (const e of m.errors) assert.ok(e in ERROR_TABLE, `${m.name}: ${e}`);
  });

  it('CLI verbs only call methods of the table', () => {
    const names = new Set<string>(METHODS.map((m) => m.name));
    for (const [verb, command] of Object.entries(COMMANDS)) {
      for (const method of command.methods) assert.ok(names.has(method), `${verb} calls ${method}`);
    }
  });
});

describe('generated artifacts', () => {
  function listFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
  }

  it('are exactly what the method table (and bench-results.json) generates (run `npm run generate` after changing src/api or benching)', () => {
    const files = generatedArtifacts();
    for (const [path, content] of files) {
      let onDisk: string;
      try {
        onDisk = readFileSync(join(REPO_ROOT, path), 'utf8');
      } catch {
        assert.fail(`${path} is missing; run npm run generate`);
      }
      assert.ok(onDisk === content, `${path} drifted from what it is generated from (the method table, bench-results.json); run npm run generate`);
    }
    for (const dir of GENERATED_DIRS) {
      for (const file of listFiles(join(REPO_ROOT, dir))) {
        const path = relative(REPO_ROOT, file);
        assert.ok(files.has(path) || isHandwritten(path), `${path} is stale`);
      }
    }
  });

  it('include a params and a result schema for every method and the shared types', () => {
    const files = generatedArtifacts();
    for (const m of METHODS) {
      assert.ok(files.has(`schema/methods/${m.name}.params.json`));
      assert.ok(files.has(`schema/methods/${m.name}.result.json`));
    }
    for (const type of ['Deployment', 'Transaction', 'TransactionEvent', 'Error']) {
      assert.ok(files.has(`schema/types/${type}.json`), type);
    }
    const deployment = JSON.parse(files.get('schema/types/Deployment.json') ?? '{}') as { required: string[] };
    for (const field of [
      'id',
      'osname',
      'checksum',
      'serial',
      'index',
      'booted',
      'staged',
      'pinned',
      'origin',
      'version',
      'timestamp',
      'baseChecksum',
      'requestedPackages',
      'layeredPackages',
      'kernelArgs',
      'unlocked',
    ]) {
      assert.ok(deployment.required.includes(field), field);
    }
  });

  it('the polkit policy declares every action a method names, each with auth_admin defaults (auth_admin_keep when active)', () => {
    const policy = generatedArtifacts().get('polkit/org.projectatomic.aptostree.policy') ?? '';
    const ids = [...policy.matchAll(/<action id="([^"]+)">/g)].map((m) => m[1]);
    for (const m of METHODS) {
      if (m.action !== null) assert.ok(ids.includes(`org.projectatomic.aptostree.${m.action}`), m.name);
    }
    for (const extra of ['install-local-packages', 'override', 'cancel', 'repo-refresh', 'finalize-deployment']) {
      assert.ok(ids.includes(`org.projectatomic.aptostree.${extra}`), extra);
    }
    const defaults = [...policy.matchAll(/<defaults>([\s\S]*?)<\/defaults>/g)].map((m) => m[1].replace(/\s+/g, ''));
    assert.equal(defaults.length, ids.length);
    for (const d of defaults) {
      assert.equal(d, '<allow_any>auth_admin</allow_any><allow_inactive>auth_admin</allow_inactive><allow_active>auth_admin_keep</allow_active>');
    }
  });

  it('docs/operating.md documents which method needs which polkit action, exactly as the table says', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs', 'operating.md'), 'utf8');
    assert.ok(page.includes(authorizationTable()), 'docs/operating.md: regenerate the authorization table from src/generators/authorization-table.ts');
  });
});
