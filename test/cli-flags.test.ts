/**
 * The CLI's options derived from the params schemas (src/cli/flags/schema-flags.ts), checked
 * against the method table itself, and the CLI's place in the layers: it imports the API and
 * the client, never the daemon's backends, services, transactions, worker or dispatcher.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { findMethod } from '../src/api/method-table.js';
import type { Field } from '../src/api/schema-builder.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { flagsFrom, helpText, paramsFrom, type SchemaArg } from '../src/cli/flags/schema-flags.js';
import { REPO_ROOT } from './support/repo-root.js';

/** The doc a field's help starts with: its own, else its ref target's. */
function docOf(field: Field): string | undefined {
  if (field.kind === 'optional') return docOf(field.inner);
  if (field.doc !== undefined) return field.doc;
  if (field.kind === 'ref' || field.kind === 'nullable') return docOf(field.kind === 'ref' ? field.target : field.inner);
  return undefined;
}

describe('CLI options from the params schemas', () => {
  it('take type and help from the field: booleans, strings, repeatable arrays, integers, positionals', () => {
    const args = flagsFrom('OS.KernelArgs', {
      reboot: { flag: 'reboot' },
      append: { flag: 'append' },
      osname: { flag: 'os', note: 'default: the booted one' },
    });
    assert.deepEqual(args.reboot, { type: 'boolean', description: 'Reboot after success', field: 'reboot', value: 'boolean' });
    assert.equal(args.append.type, 'string');
    assert.equal(args.append.value, 'list');
    assert.equal(args.append.description, 'Arguments to add (repeatable)');
    assert.equal(args.os.description, 'A stateroot (OS) name (default: the booted one)');
    const limit = flagsFrom('Transaction.History', { limit: { flag: 'limit' } }).limit;
    assert.equal(limit.type, 'string');
    assert.equal(limit.value, 'integer');
    const revision = flagsFrom('OS.Deploy', { revision: { flag: 'revision', positional: true } }).revision;
    assert.equal(revision.type, 'positional');
    assert.equal(revision.required, false);
  });

  it('refuse a field without a doc (no help to show)', () => {
    assert.throws(() => flagsFrom('OS.SetInitramfsState', { regenerate: { flag: 'enable' } }), /no doc/);
  });

  it('turn parsed options back into params: true booleans, strings, repeated values, numbers', () => {
    const args = {
      ...flagsFrom('OS.KernelArgs', { reboot: { flag: 'reboot' }, append: { flag: 'append' }, osname: { flag: 'os' } }),
      ...flagsFrom('Transaction.History', { limit: { flag: 'limit' } }),
      ...flagsFrom('OS.Deploy', { revision: { flag: 'revision', positional: true }, cacheOnly: { flag: 'cache-only' } }),
      json: { type: 'boolean', description: 'CLI only' },
    } as const;
    const raw = ['--append', 'quiet', '--append=console=ttyS0', '--os', 'debian', '--limit', '5', '12.2'];
    const parsed = { _: [], append: 'console=ttyS0', os: 'debian', limit: '5', revision: '12.2', reboot: false, 'cache-only': true, json: true };
    assert.deepEqual(paramsFrom(args, parsed, raw), {
      append: ['quiet', 'console=ttyS0'],
      osname: 'debian',
      limit: 5,
      revision: '12.2',
      cacheOnly: true,
    });
    assert.deepEqual(paramsFrom(args, { _: [], revision: '' }, []), {}, 'an empty positional is absent');
  });

  it("every verb's schema-derived option names a field of a method it calls, with that field's doc as help", () => {
    let derived = 0;
    for (const [verb, command] of Object.entries(COMMANDS)) {
      const args = (command.definition.args ?? {}) as Record<string, Partial<SchemaArg>>;
      for (const [flag, def] of Object.entries(args)) {
        if (def.field === undefined) continue;
        derived++;
        const props = command.methods.map((m): Record<string, Field> => findMethod(m)?.params.props ?? {});
        const fields = props.map((p) => p[def.field as string]).filter((f) => f !== undefined);
        assert.ok(fields.length > 0, `${verb} --${flag}: no method of the verb has ${def.field}`);
        const doc = docOf(fields[0]);
        assert.ok(doc !== undefined && def.description?.startsWith(helpText(doc, [])), `${verb} --${flag}: ${def.description}`);
      }
    }
    assert.ok(derived >= 40, `only ${derived} options come from the schemas`);
  });
});

describe('CLI layering', () => {
  const FORBIDDEN = ['backends', 'services', 'transactions', 'worker', 'daemon', 'dispatcher', 'handlers', 'transports'];

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  }

  /** The project modules a source file imports (relative specifiers), as paths under src/. */
  function imports(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => relative(join(REPO_ROOT, 'src'), resolve(dirname(file), m[1])));
  }

  it('src/cli imports only src/api, src/client, src/cli, dependency-free helpers of src/util and the generated version', () => {
    for (const file of sources(join(REPO_ROOT, 'src', 'cli'))) {
      for (const target of imports(file)) {
        // `apt-ostree --version`: package.json's version, a generated constant importing nothing.
        if (target === 'generated/version.js') continue;
        const layer = target.split('/')[0];
        assert.ok(!FORBIDDEN.includes(layer), `${relative(REPO_ROOT, file)} imports ${target}`);
        assert.ok(['api', 'client', 'cli', 'util'].includes(layer), `${relative(REPO_ROOT, file)} imports ${target}`);
        if (layer === 'util') {
          const helper = join(REPO_ROOT, 'src', target.replace(/\.js$/, '.ts'));
          assert.deepEqual(
            imports(helper).filter((t) => !t.startsWith('util/')),
            [],
            `${target} must import nothing above src/util`,
          );
        }
      }
    }
  });
});
