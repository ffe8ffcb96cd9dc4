// Alert context (src/buckets/context.ts) as CrowdSec 1.5+ builds it: a console/context.yaml file merged with the
// hub's contexts items under config_dir/contexts; expressions compiled at load (errors name file, line, key);
// each key's distinct values over the overflow's events become one alert meta item holding a JSON array
// (Go's json.Marshal escaping), truncated as TruncateContext does; real replays carry it into alerts, a real
// file notification renders it, and the config keys (Picket's and CrowdSec's) reach it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compileContext,
  loadContextSpec,
  truncateContext,
  goJsonStrings,
  ContextConfigError,
} from '../../src/buckets/context.js';
import { runReplay } from '../../src/pipeline/replay.js';
import { parseConfig } from '../../src/config/config.js';
import { Notifier, parseNotificationFile } from '../../src/notifications/index.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-context-'));
}

function sshLines(ip: string, users: string[]): string {
  return users
    .map(
      (u, i) =>
        `Dec  7 10:00:0${i} web01 sshd[${100 + i}]: Failed password for invalid user ${u} from ${ip} port ${4000 + i} ssh2`,
    )
    .join('\n');
}

test('the context file and the hub contexts items merge; keys keep their order, values are not repeated', () => {
  const d = tmp();
  try {
    const item = path.join(d, 'contexts', 'crowdsecurity');
    fs.mkdirSync(item, { recursive: true });
    fs.writeFileSync(
      path.join(item, 'bf_base.yaml'),
      'name: crowdsecurity/bf_base\ndescription: x\ncontext:\n  target_user:\n    - evt.Meta.target_user\n',
    );
    const file = path.join(d, 'context.yaml');
    fs.writeFileSync(
      file,
      '# mine\ntarget_user:\n  - evt.Meta.target_user\n  - evt.Parsed.user\nsrc: [evt.Line.Src]\n',
    );
    const spec = loadContextSpec({ file, configDir: d });
    assert.deepEqual(
      spec?.keys.map((k) => [k.key, k.exprs.map((e) => e.expr)]),
      [
        ['target_user', ['evt.Meta.target_user', 'evt.Parsed.user']],
        ['src', ['evt.Line.Src']],
      ],
    );
    assert.equal(spec?.keys[0]?.exprs[1]?.where, `${file}:4`);
    // an empty or missing default file is no context; a missing explicit one is an error
    fs.writeFileSync(file, '# nothing yet\n');
    assert.equal(loadContextSpec({ file }), null);
    assert.equal(loadContextSpec({ file: path.join(d, 'none.yaml'), fileOptional: true }), null);
    assert.throws(() => loadContextSpec({ file: path.join(d, 'none.yaml') }), /none\.yaml/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('bad context files are refused naming the file, the line and the key', () => {
  const d = tmp();
  try {
    const file = path.join(d, 'context.yaml');
    const cases: [string, RegExp][] = [
      ['a:\n  - evt.Line.Raw\nb:\n  - 3\n', /context\.yaml:4: b: expected a list of expressions/],
      ['- evt.Line.Raw\n', /context\.yaml:1: expected a mapping/],
      ['a: [evt.Line.Raw\n', /context\.yaml:\d+: not valid YAML/],
    ];
    for (const [text, re] of cases) {
      fs.writeFileSync(file, text);
      assert.throws(
        () => loadContextSpec({ file }),
        (e: Error) => e instanceof ContextConfigError && re.test(e.message),
      );
    }
    fs.writeFileSync(file, 'ok:\n  - evt.Line.Raw\nbroken:\n  - evt.Parsed.x ==\n');
    const spec = loadContextSpec({ file })!;
    assert.throws(
      () => compileContext(spec),
      (e: Error) =>
        e instanceof ContextConfigError && /context\.yaml:4: context key broken: .*evt\.Parsed\.x ==/.test(e.message),
    );
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("values are truncated as CrowdSec's TruncateContext does, in Go's JSON", () => {
  assert.equal(goJsonStrings(['<a&b>']), '["\\u003ca\\u0026b\\u003e"]');
  // several values: the last ones are dropped until the JSON fits
  assert.equal(truncateContext(['aaaa', 'bbbb', 'cccc'], 16), '["aaaa","bbbb"]');
  // one value left: cut in half (bytes) with "..." until it fits
  // (40 x -> 20 x + "..." -> its first 11 bytes + "...")
  assert.equal(truncateContext(['x'.repeat(40)], 20), `["${'x'.repeat(11)}..."]`);
  assert.equal(truncateContext(['short'], 4000), '["short"]');
});

test('a replay with a context: distinct values per key in the alert meta, ints as text, lists spread', async () => {
  const d = tmp();
  try {
    const log = path.join(d, 'auth.log');
    fs.writeFileSync(log, sshLines('192.0.2.7', ['admin', 'oracle', 'admin', 'test', 'guest', 'pi', 'ubnt']) + '\n');
    const file = path.join(d, 'context.yaml');
    fs.writeFileSync(
      file,
      [
        'target_user: [evt.Meta.target_user]',
        'long: ["len(evt.Meta.target_user) > 5 ? 1 : 0"]',
        'len: [len(evt.Line.Raw)]',
        "words: [\"Split('a,b,' + evt.Meta.target_user, ',')\"]",
        'nothing: [evt.Parsed.no_such_field]',
        '',
      ].join('\n'),
    );
    const r = await runReplay({
      files: [log],
      type: 'syslog',
      workers: 0,
      year: 2026,
      context: loadContextSpec({ file, valueLength: 60 }),
    });
    const a = r.alerts.find((x) => x.scenario === 'picket/ssh-bf');
    assert.ok(a, JSON.stringify(r.alertsByScenario));
    const meta = Object.fromEntries((a.meta ?? []).map((m) => [m.key, m.value]));
    const users = JSON.parse(meta.target_user!) as string[];
    assert.deepEqual(users, [...new Set(users)], 'no value twice');
    assert.ok(users.includes('admin') && users.includes('oracle'), meta.target_user);
    assert.equal(meta.long, '["0","1"]');
    assert.match(meta.len!, /^\["\d+"/);
    assert.ok(Buffer.byteLength(meta.words!) <= 60, meta.words);
    assert.deepEqual((JSON.parse(meta.words!) as string[]).slice(0, 3), ['a', 'b', 'admin']);
    assert.equal(meta.nothing, undefined, 'a key without values is left out');
    // the events keep their own meta (the context is alert-level)
    assert.ok(a.events.length > 0 && a.events[0]!.meta.some((m) => m.key === 'source_ip'));

    // the same alert rendered by a real file notification: the context reaches the templates
    const out = path.join(d, 'notified.txt');
    const text = [
      'type: file',
      'name: ctx',
      `log_path: ${out}`,
      'format: |',
      '  {{range . -}}{{range .Meta}}{{.Key}}={{.Value}};{{end}} user={{.GetMeta "target_user"}}{{end}}',
    ].join('\n');
    const m = new Map(parseNotificationFile(text, 'ctx.yaml').map((c) => [c.name, c]));
    const n = new Notifier(m, { backoffMs: 20 });
    n.prepare([{ name: 'p', document: 1, where: 'profiles.yaml', notifications: ['ctx'] }]);
    n.dispatch(['ctx'], a as unknown as Record<string, unknown>);
    await n.drain();
    await n.close();
    const got = fs.readFileSync(out, 'utf8');
    assert.ok(got.includes(`target_user=${meta.target_user};`), got);
    assert.ok(got.includes(`user=${meta.target_user}`), got);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('console_context_path / value length: Picket keys and CrowdSec config.yaml keys', () => {
  const p = parseConfig('console_context_path: /etc/x/context.yaml\nconsole_context_value_length: 300\n', 'p.yaml');
  assert.equal(p.consoleContextPath, '/etc/x/context.yaml');
  assert.equal(p.consoleContextValueLength, 300);
  assert.throws(
    () => parseConfig('data_dir: /d\nconsole_context_value_length: 5000\n', 'p.yaml'),
    /p\.yaml:2: console_context_value_length/,
  );
  const c = parseConfig(
    [
      'config_paths:',
      '  config_dir: /etc/crowdsec/',
      '  simulation_path: /etc/crowdsec/simulation.yaml',
      '  notification_dir: /etc/crowdsec/notifications/',
      'crowdsec_service:',
      '  console_context_path: /etc/crowdsec/console/context.yaml',
      '  console_context_value_length: 1000',
      '',
    ].join('\n'),
    'config.yaml',
  );
  assert.equal(c.simulationPath, '/etc/crowdsec/simulation.yaml');
  assert.equal(c.notificationDir, '/etc/crowdsec/notifications/');
  assert.equal(c.consoleContextPath, '/etc/crowdsec/console/context.yaml');
  assert.equal(c.consoleContextValueLength, 1000);
  assert.deepEqual(c.ignored, []);
  assert.throws(
    () => parseConfig('crowdsec_service:\n  console_context_value_length: -1\n', 'config.yaml'),
    /config\.yaml:2: crowdsec_service\.console_context_value_length/,
  );
});
