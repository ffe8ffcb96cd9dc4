// Untrusted strings never reach the terminal raw (issue 11 §5): a machine registered through the open
// POST /v1/watchers with escape sequences in its id, and a log line with them given to `picket explain`,
// are printed with their control characters escaped (JSON output stays valid JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { picket, startPicket } from './helpers.js';
import { escapeControls } from '../../src/core/terminal.js';

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\r';

test('escapeControls: controls escaped, newline and tab kept, text unchanged otherwise', () => {
  assert.equal(escapeControls('a\tb\nc'), 'a\tb\nc');
  assert.equal(escapeControls('x\u001b[2Jy\u0007\u009b\u007f\r'), 'x\\u001b[2Jy\\u0007\\u009b\\u007f\\u000d');
  assert.equal(escapeControls('µ…日本'), 'µ…日本');
});

test('machines list and explain print escape sequences escaped', async () => {
  const p = await startPicket(['--no-agent', '--metrics', 'off']);
  try {
    const r = await fetch(new URL('v1/watchers', p.url), {
      method: 'POST',
      body: JSON.stringify({ machine_id: HOSTILE, password: 'pw' }),
    });
    assert.equal(r.status, 201);
    const list = await picket(['machines', 'list', '--data', p.data]);
    assert.equal(list.code, 0, list.stderr);
    // eslint-disable-next-line no-control-regex -- the control characters are what is looked for
    assert.doesNotMatch(list.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.ok(list.stdout.includes('evil\\u001b]0;pwned\\u0007'), list.stdout);
    const json = await picket(['machines', 'list', '-o', 'json', '--data', p.data]);
    const ids = (JSON.parse(json.stdout) as Array<{ machineId: string }>).map((m) => m.machineId);
    assert.ok(ids.includes(HOSTILE), json.stdout);
    const ex = await picket(['explain', '--line', `Dec  7 10:00:00 host sshd[1]: ${HOSTILE}`, '--type', 'syslog']);
    assert.equal(ex.code, 0, ex.stderr);
    // eslint-disable-next-line no-control-regex -- the control characters are what is looked for
    assert.doesNotMatch(ex.stdout + ex.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(ex.stdout, /evil\\u001b/);
  } finally {
    await p.stop();
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});
