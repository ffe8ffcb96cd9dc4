// `picket lapi context add|status|delete` as `cscli lapi context` has them: add compiles the expressions first
// and edits the context file named by the config (console_context_path) keeping its comments, status shows the
// merged context (YAML or JSON), delete removes keys or values (a key left empty goes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { picket, tempDir } from './helpers.js';

test('picket lapi context add / status / delete edit the context file of the config', async () => {
  const d = tempDir('picket-lapi-context-');
  try {
    const file = path.join(d, 'console', 'context.yaml');
    const config = path.join(d, 'config.yaml');
    fs.writeFileSync(config, `console_context_path: ${file}\ndata_dir: ${d}/data\n`);
    const run = (...args: string[]) => picket(['lapi', 'context', ...args, '--config', config]);

    const empty = await run('status');
    assert.notEqual(empty.code, 0, 'console_context_path names a file that must exist');
    assert.match(empty.stderr, /context\.yaml/);
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '# context sent with alerts\n');
    assert.match((await run('status')).stdout, /No context found on this agent/);

    const add = await run(
      'add',
      '--key',
      'source',
      '--value',
      'evt.Line.Src,evt.Line.Module',
      '--value',
      'evt.Line.Src',
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /key 'source' added/);
    assert.match(add.stdout, /value 'evt\.Line\.Module' added to key 'source'/);
    const user = await run('add', '-k', 'user', '--value', 'evt.Meta.target_user');
    assert.equal(user.code, 0, user.stderr);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# context sent with alerts/, 'comments kept');
    assert.deepEqual(YAML.parse(text), {
      source: ['evt.Line.Src', 'evt.Line.Module'],
      user: ['evt.Meta.target_user'],
    });

    const bad = await run('add', '--key', 'x', '--value', 'evt.Meta.a ==');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /compilation of 'evt\.Meta\.a ==' failed/);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'nothing written');

    const st = await run('status', '-o', 'json');
    assert.deepEqual(JSON.parse(st.stdout), YAML.parse(text));
    assert.match((await run('status')).stdout, /^source:\n {2}- evt\.Line\.Src/);

    const del = await run('delete', '--value', 'evt.Meta.target_user', '--key', 'nokey');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /value 'evt\.Meta\.target_user' has been removed from key 'user'/);
    assert.match(del.stderr, /key 'nokey' doesn't exist/);
    assert.deepEqual(YAML.parse(fs.readFileSync(file, 'utf8')), { source: ['evt.Line.Src', 'evt.Line.Module'] });
    assert.equal((await run('delete', '-k', 'source')).code, 0);
    assert.match((await run('status')).stdout, /No context found/);
    assert.notEqual((await run('delete')).code, 0, 'delete needs a key or a value');
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});
