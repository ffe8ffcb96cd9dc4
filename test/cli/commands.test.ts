// The command list: every command loads, and a command module that fails to load becomes a stub that
// explains why (exit 1) while the others keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCommands, commandNames, findCommand, loadCommand } from '../../src/cli/commands/index.js';
import { CliError } from '../../src/cli/command.js';

test('every command loads, in --help order; one is found by name', async () => {
  const commands = await allCommands();
  assert.deepEqual(commands.map((c) => c.name).slice(0, 10), [
    'run',
    'replay',
    'explain',
    'hubtest',
    'decisions',
    'alerts',
    'bouncers',
    'allowlists',
    'machines',
    'lapi',
  ]);
  const added = [
    'notifications',
    'report',
    'gdpr',
    'central',
    'hub',
    'collections',
    'parsers',
    'scenarios',
    'postoverflows',
    'contexts',
    'import',
    'simulation',
    'blocklists',
  ];
  for (const n of added) assert.ok(commandNames.includes(n), n);
  assert.deepEqual(
    [...commandNames],
    commands.map((c) => c.name),
  );
  for (const c of commands) assert.doesNotMatch(c.summary, /unavailable/, c.name);
  assert.equal((await findCommand('replay'))?.name, 'replay');
  assert.equal(findCommand('nope'), null);
});

test('a command whose module fails to load is a stub naming the error (exit 1)', async () => {
  const broken = await loadCommand(
    'decisions',
    Promise.reject(new SyntaxError("The requested module './x.js' does not provide an export named 'y'\n  at ...")),
    'decisionsCommand',
  );
  assert.equal(broken.name, 'decisions');
  assert.match(
    broken.summary,
    /^\(unavailable: The requested module '\.\/x\.js' does not provide an export named 'y'\)$/,
  );
  await assert.rejects(
    broken.run([], { out: () => undefined, err: () => undefined }),
    (e: unknown) =>
      e instanceof CliError && e.exitCode === 1 && /cannot be loaded: The requested module/.test(e.message),
  );
});
