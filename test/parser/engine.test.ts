// Parser engine behaviour: node evaluation order (§5), statics (§6), grok input (§7), stage loop (§13),
// whitelists (§8), stash (§9), odd cases of §15, corrupt input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Event, newStrMap, OVFLW, RuntimeAlert, Alert, Source } from '../../src/core/event.js';
import { PARSE_DROPPED, PARSE_ERROR, PARSE_OK, type ParserTree } from '../../src/parser/runtime.js';
import { buildTree, runLines } from './helpers.js';

const S00 = `name: t/raw
filter: "evt.Line.Labels.type == 'syslog'"
onsuccess: next_stage
grok:
  pattern: '^%{WORD:program}: %{GREEDYDATA:message}'
  apply_on: Line.Raw
statics:
  - meta: datasource_path
    expression: evt.Line.Src
`;

test('filter, grok on Line.Raw, statics, next_stage across stages', () => {
  const tree = buildTree({
    's00-raw': { 'raw.yaml': S00 },
    's01-parse': {
      'p.yaml': `name: t/p
filter: "evt.Parsed.program == 'app'"
onsuccess: next_stage
grok:
  pattern: 'user %{WORD:user} from %{IP:ip}'
  apply_on: message
statics:
  - meta: user
    expression: evt.Parsed.user
  - meta: source_ip
    expression: evt.Parsed.ip
  - meta: service
    value: app
`,
    },
  });
  assert.deepEqual(tree.stages, ['s00-raw', 's01-parse']);
  const { recs, events, results } = runLines(tree, ['app: user bob from 1.2.3.4', 'other: hello', 'app: nothing']);
  assert.deepEqual(results, [PARSE_OK, PARSE_DROPPED, PARSE_DROPPED]);
  const e = events[0]!;
  assert.equal(e.Process, true);
  assert.equal(e.Meta.user, 'bob');
  assert.equal(e.Meta.source_ip, '1.2.3.4');
  assert.equal(e.Meta.service, 'app');
  assert.equal(e.Meta.datasource_path, '/var/log/test.log');
  assert.equal(e.Stage, 's01-parse');
  // records: line 1: raw ok, p ok; line 2: raw ok, p fail (filter); line 3: raw ok, p fail (grok)
  assert.deepEqual(
    recs.map((r) => `${r.stage}/${r.node}/${r.success}`),
    [
      's00-raw/t/raw/true',
      's01-parse/t/p/true',
      's00-raw/t/raw/true',
      's01-parse/t/p/false',
      's00-raw/t/raw/true',
      's01-parse/t/p/false',
    ],
  );
  // snapshots are deep copies taken after the node ran
  assert.equal(recs[0]!.snap.Parsed.program, 'app');
  assert.equal(recs[0]!.snap.Meta.user, undefined);
  assert.equal(recs[1]!.snap.Meta.user, 'bob');
  // failed grok leaves earlier writes (side effects persist) but no statics
  assert.equal(events[2]!.Meta.service, undefined);
});

test('a success with continue in a non-last stage drops the event at the next stage', () => {
  const tree = buildTree({
    's00-raw': { 'a.yaml': 'name: t/cont\nstatics:\n  - parsed: x\n    value: "1"\n' },
    's01-parse': { 'b.yaml': 'name: t/never\nstatics:\n  - parsed: y\n    value: "1"\n' },
  });
  const { recs, results, events } = runLines(tree, ['l']);
  assert.equal(results[0], PARSE_DROPPED);
  assert.equal(events[0]!.Process, false);
  assert.deepEqual(
    recs.map((r) => r.node),
    ['t/cont'],
  );
});

test('last stage: any success suffices; no success drops; next_stage is a no-op', () => {
  const tree = buildTree({
    's00-raw': { 'a.yaml': 'name: t/a\nonsuccess: next_stage\nstatics:\n  - parsed: x\n    value: "1"\n' },
    's02-enrich': {
      'b.yaml': 'name: t/b\nfilter: "evt.Line.Raw == \'ok\'"\nstatics:\n  - parsed: y\n    value: "1"\n',
      'c.yaml':
        'name: t/c\nfilter: "evt.Line.Raw == \'ns\'"\nonsuccess: next_stage\nstatics:\n  - parsed: z\n    value: "1"\n',
    },
  });
  const { results, events } = runLines(tree, ['ok', 'ns', 'ko']);
  assert.deepEqual(results, [PARSE_OK, PARSE_OK, PARSE_DROPPED]);
  assert.equal(events[1]!.Stage, 's02-enrich');
});

test('files run in basename order within a stage, documents in file order; next_stage stops the stage', () => {
  const tree = buildTree({
    's00-raw': {
      'zz.yaml':
        'name: t/zz\nonsuccess: next_stage\nstatics:\n  - parsed: order\n    expression: evt.Parsed.order + "z"\n',
      'aa.yaml':
        'name: t/aa1\nstatics:\n  - parsed: order\n    expression: evt.Parsed.order + "a"\n---\nname: t/aa2\nstatics:\n  - parsed: order\n    expression: evt.Parsed.order + "b"\n',
    },
    's01-parse': {
      'x.yaml':
        'name: t/x\nstatics:\n  - parsed: done\n    value: "1"\n---\nname: t/y\nonsuccess: next_stage\nstatics:\n  - parsed: y\n    value: "1"\n---\nname: t/unreached\nstatics:\n  - parsed: u\n    value: "1"\n',
    },
  });
  const { recs, events } = runLines(tree, ['l']);
  assert.equal(events[0]!.Parsed.order, 'abz');
  assert.deepEqual(
    recs.map((r) => r.node),
    ['t/aa1', 't/aa2', 't/zz', 't/x', 't/y'],
  );
  assert.equal(events[0]!.Parsed.u, undefined);
});

test('parent/child success rules', () => {
  const tree = buildTree({
    's00-raw': {
      // skeleton node (no grok), continue: result = last child's result
      'a.yaml': `name: t/skel-continue
nodes:
  - filter: "evt.Line.Raw startsWith 'x'"
    statics:
      - parsed: c1
        value: "1"
  - filter: "evt.Line.Raw endsWith 'y'"
    statics:
      - parsed: c2
        value: "1"
statics:
  - parsed: parent_static
    value: "1"
`,
      // skeleton next_stage: true iff a child succeeded; iteration stops at the first
      'b.yaml': `name: t/skel-next
onsuccess: next_stage
nodes:
  - filter: "evt.Line.Raw startsWith 'x'"
    statics:
      - parsed: n1
        value: "1"
  - filter: "true"
    statics:
      - parsed: n2
        value: "1"
`,
    },
  });
  // 'xa': child1 ok, child2 fails -> skel-continue false (last child), side effect c1 persists, no parent static
  let r = runLines(tree, ['xa']);
  assert.equal(r.recs[0]!.success, false);
  assert.equal(r.events[0]!.Parsed.c1, '1');
  assert.equal(r.events[0]!.Parsed.parent_static, undefined);
  assert.equal(r.recs[1]!.success, true);
  assert.equal(r.events[0]!.Parsed.n1, '1');
  assert.equal(r.events[0]!.Parsed.n2, undefined);
  // 'ay': child1 fails, child2 ok -> true
  r = runLines(tree, ['ay']);
  assert.equal(r.recs[0]!.success, true);
  assert.equal(r.events[0]!.Parsed.parent_static, '1');
  assert.equal(r.events[0]!.Parsed.n2, '1');
});

test('grok parent: children failing keep the parent successful; failed grok can succeed through a child', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/grok-parent
grok:
  pattern: '^A %{WORD:w}'
  apply_on: Line.Raw
nodes:
  - grok:
      pattern: 'never %{WORD:nv}'
      apply_on: Line.Raw
  - grok:
      pattern: '^B %{WORD:b}'
      apply_on: Line.Raw
statics:
  - parsed: st
    value: "1"
`,
    },
  });
  const r = runLines(tree, ['A one', 'B two', 'C three']);
  assert.deepEqual(
    r.recs.map((x) => x.success),
    [true, true, false],
  );
  assert.equal(r.events[0]!.Parsed.st, '1');
  assert.equal(r.events[1]!.Parsed.b, 'two');
  assert.equal(r.events[1]!.Parsed.st, '1');
  assert.equal(r.events[2]!.Parsed.st, undefined);
});

test('grok: apply_on missing field fails; expression input; grok statics; "" captures exist', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/missing
grok:
  pattern: '%{WORD:x}'
  apply_on: nosuchfield
---
name: t/expr
grok:
  pattern: '^%{WORD:first}(?: %{INT:opt})?'
  expression: evt.Line.Raw + " tail"
  statics:
    - parsed: from_grok_static
      expression: evt.Parsed.first
`,
    },
  });
  const r = runLines(tree, ['hello']);
  assert.equal(r.recs[0]!.success, false);
  assert.equal(r.recs[1]!.success, true);
  const e = r.events[0]!;
  assert.equal(e.Parsed.first, 'hello');
  assert.equal(e.Parsed.opt, '');
  assert.ok('opt' in e.Parsed);
  assert.equal(e.Parsed.from_grok_static, 'hello');
});

test('grok by name and pattern_syntax (tree-wide, first definition wins)', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/ps1
pattern_syntax:
  MYWORD: 'w-%{WORD:mw}'
grok:
  name: MYWORD
  apply_on: Line.Raw
`,
      'b.yaml': `name: t/ps2
pattern_syntax:
  MYWORD: 'never-%{WORD:other}'
grok:
  pattern: '%{MYWORD}'
  apply_on: Line.Raw
`,
    },
  });
  assert.ok(tree.warnings.some((w) => /MYWORD/.test(w)));
  const r = runLines(tree, ['x w-abc']);
  assert.deepEqual(
    r.recs.map((x) => x.success),
    [true, true],
  );
  assert.equal(r.events[0]!.Parsed.mw, 'abc');
  assert.equal(r.events[0]!.Parsed.other, undefined);
});

test('statics: precedence, empty value skipped, target paths, int/float conversion', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/statics
statics:
  - meta: m
    parsed: p
    value: both
  - meta: empty
    expression: evt.Parsed.nothing
  - target: evt.StrTime
    value: "2024-01-01"
  - target: StrTimeFormat
    value: "2006-01-02"
  - target: evt.Parsed.tp
    value: tv
  - target: Meta.a.b
    value: deep
  - target: evt.Unmarshaled.u
    value: uv
  - target: source_ip
    value: ignored
  - target: evt.Line.Labels.extra
    value: lab
  - parsed: len
    expression: len(evt.Line.Raw)
  - parsed: float
    expression: 1.5
  - parsed: nil
    expression: nil
  - parsed: map
    expression: "{'a': 1}"
  - meta: x
    expression: evt.Parsed.p + "!"
`,
    },
  });
  const r = runLines(tree, ['abcd']);
  const e = r.events[0]!;
  assert.equal(r.results[0], PARSE_OK);
  assert.equal(e.Parsed.p, 'both');
  assert.equal(e.Meta.m, undefined);
  assert.ok(!('empty' in e.Meta));
  assert.equal(e.StrTime, '2024-01-01');
  assert.equal(e.StrTimeFormat, '2006-01-02');
  assert.equal(e.Parsed.tp, 'tv');
  assert.equal(e.Meta.a, 'deep');
  assert.equal(e.Unmarshaled.u, 'uv');
  assert.equal(e.Line.Labels.extra, 'lab');
  assert.equal(e.Parsed.len, '4');
  assert.equal(e.Parsed.float, '1.500000');
  assert.ok(!('nil' in e.Parsed));
  assert.ok(!('map' in e.Parsed));
  assert.equal(e.Meta.x, 'both!');
});

test('a static returning a bool is a node error: the event is dropped', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml':
        'name: t/boolstatic\nonsuccess: next_stage\nstatics:\n  - parsed: b\n    expression: evt.Line.Raw == "x"\n',
    },
    's01-parse': { 'b.yaml': 'name: t/after\nstatics:\n  - parsed: c\n    value: "1"\n' },
  });
  const r = runLines(tree, ['x']);
  assert.equal(r.results[0], PARSE_ERROR);
  assert.equal(r.events[0]!.Process, false);
  assert.match(tree.lastError, /t\/boolstatic/);
  assert.equal(tree.metrics.errors, 1);
  // error before recording: the node has no recorded entry and later stages never run
  assert.equal(r.recs.length, 0);
});

test('static expression runtime error: static skipped, node continues', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml':
        "name: t/rt\nstatics:\n  - parsed: a\n    expression: \"1 / int(evt.Line.Raw) > 0 ? 'x' : 'y'\"\n  - parsed: b\n    expression: evt.Overflow.Alert.Scenario\n  - parsed: c\n    value: ok\n",
    },
  });
  const r = runLines(tree, ['zz']);
  assert.equal(r.results[0], PARSE_OK);
  assert.equal(r.events[0]!.Parsed.c, 'ok');
  assert.equal(r.events[0]!.Parsed.b, undefined);
});

test('filter: runtime error or non-bool result means node failure', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml':
        'name: t/f1\nfilter: "evt.Line.Raw"\nstatics:\n  - parsed: a\n    value: "1"\n---\nname: t/f2\nfilter: "evt.Overflow.Alert.Scenario == \'x\'"\nstatics:\n  - parsed: a\n    value: "1"\n',
    },
  });
  const r = runLines(tree, ['zz']);
  assert.deepEqual(
    r.recs.map((x) => x.success),
    [false, false],
  );
  assert.equal(r.results[0], PARSE_DROPPED);
});

const WL = `name: t/wl
whitelist:
  reason: first reason
  ip:
    - 1.2.3.4
    - "::1"
  cidr:
    - 10.0.0.0/8
    - 2001:db8::/32
statics:
  - meta: wl_static
    value: applied
---
name: t/wl2
whitelist:
  reason: second reason
  expression:
    - evt.Meta.source_ip startsWith '10.'
    - evt.Meta.source_ip == '5.5.5.5'
`;

test('whitelists: ip exact, cidr v4/v6, expressions, first reason kept, statics only when whitelisted', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': 'name: t/set\nonsuccess: next_stage\nstatics:\n  - meta: source_ip\n    expression: evt.Line.Raw\n',
    },
    's02-enrich': { 'wl.yaml': WL },
  });
  const r = runLines(tree, [
    '1.2.3.4',
    '::ffff:1.2.3.4',
    '10.1.2.3',
    '2001:db8::5',
    '5.5.5.5',
    '8.8.8.8',
    '::1',
    'not-an-ip',
  ]);
  const ev = r.events;
  assert.deepEqual(
    ev.map((e) => e.Whitelisted),
    [true, false, true, true, true, false, true, false],
  );
  assert.equal(ev[0]!.WhitelistReason, 'first reason');
  assert.equal(ev[2]!.WhitelistReason, 'first reason'); // t/wl2 matched too but the first reason is kept
  assert.equal(ev[4]!.WhitelistReason, 'second reason');
  assert.equal(ev[0]!.Meta.wl_static, 'applied');
  assert.equal(ev[5]!.Meta.wl_static, undefined);
  // whitelist never makes the node fail (a node with only a whitelist succeeds)
  assert.ok(r.recs.filter((x) => x.node === 't/wl').every((x) => x.success));
  // cs_node_wl_hits_total / _ok_total per node, reason, source, datasource and acquisition type
  assert.deepEqual(
    tree.metrics.perWhitelist().map((w) => [w.name, w.reason, w.source, w.type, w.acquisType, w.hits, w.ok]),
    [
      ['t/wl', 'first reason', '/var/log/test.log', 'file', 'syslog', 8, 4],
      ['t/wl2', 'second reason', '/var/log/test.log', 'file', 'syslog', 8, 2],
    ],
  );
});

test('whitelist on OVFLW events uses Overflow.Sources keys and sets Overflow.Whitelisted', () => {
  const tree = buildTree({ 's01-whitelist': { 'wl.yaml': WL } });
  const mk = (key: string) => {
    const e = new Event();
    e.Type = OVFLW;
    const ra = new RuntimeAlert();
    const s = new Source();
    s.IP = key;
    s.Value = key;
    s.Scope = 'Ip';
    ra.Sources[key] = s;
    ra.Alert = new Alert();
    ra.Alert.Source = s;
    e.Overflow = ra;
    return e;
  };
  const a = mk('10.9.9.9');
  const b = mk('9.9.9.9');
  const c = mk('10.0.0.0/24');
  for (const e of [a, b, c]) tree.parse(e);
  assert.equal(a.Overflow!.Whitelisted, true);
  assert.equal(a.Whitelisted, true);
  assert.equal(b.Overflow!.Whitelisted, false);
  assert.equal(c.Overflow!.Whitelisted, false); // a range key is not an IP
});

test('stash: stored after a successful grok, readable with GetFromStash', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/stash
grok:
  pattern: 'id=%{INT:id} user=%{WORD:user}'
  apply_on: Line.Raw
stash:
  - name: t_users
    key: evt.Parsed.id
    value: evt.Parsed.user
    ttl: 10m
    size: 10
---
name: t/read
filter: "evt.Line.Raw startsWith 'lookup'"
grok:
  pattern: 'lookup %{INT:lid}'
  apply_on: Line.Raw
statics:
  - meta: user
    expression: GetFromStash("t_users", evt.Parsed.lid)
`,
    },
  });
  const r = runLines(tree, ['id=42 user=alice', 'lookup 42', 'lookup 7']);
  assert.equal(r.events[1]!.Meta.user, 'alice');
  assert.equal(r.events[2]!.Meta.user, undefined);
});

test('data files: a string data file is loaded for File()/in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-data-'));
  try {
    writeFileSync(join(dir, 'bad_words.txt'), '# comment\nfoo\nbar\n');
    const tree = buildTree(
      {
        's00-raw': {
          'a.yaml': `name: t/data
data:
  - source_url: https://example.invalid/bad_words.txt
    dest_file: bad_words.txt
    type: string
filter: "evt.Line.Raw in File('bad_words.txt')"
statics:
  - meta: bad
    value: "yes"
`,
        },
      },
      { dataDir: dir },
    );
    const r = runLines(tree, ['foo', 'baz']);
    assert.deepEqual(
      r.recs.map((x) => x.success),
      [true, false],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('events injected at a later stage skip earlier stages', () => {
  const tree = buildTree({
    's00-raw': { 'a.yaml': 'name: t/a\nonsuccess: next_stage\nstatics:\n  - parsed: a\n    value: "1"\n' },
    's01-parse': { 'b.yaml': 'name: t/b\nstatics:\n  - parsed: b\n    value: "1"\n' },
  });
  const e = new Event({ Raw: 'x', Labels: newStrMap({ type: 'syslog' }) });
  e.Stage = 's01-parse';
  assert.equal(tree.parse(e), PARSE_OK);
  assert.equal(e.Parsed.a, undefined);
  assert.equal(e.Parsed.b, '1');
});

test('corrupt input: a 1 MB line and invalid UTF-8 are handled', () => {
  const tree = buildTree({ 's00-raw': { 'raw.yaml': S00 } });
  const big = 'app: ' + 'x'.repeat(1024 * 1024);
  const bad = Buffer.from([0x61, 0x70, 0x70, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x41]).toString('utf8');
  const r = runLines(tree, [big, bad, 'x'.repeat(1024 * 1024)]);
  assert.equal(r.results[0], PARSE_OK);
  assert.equal(r.events[0]!.Parsed.message!.length, 1024 * 1024);
  assert.equal(r.results[1], PARSE_OK);
  assert.equal(r.results[2], PARSE_DROPPED);
});

test('metrics: per-node hits ok/ko and lines parsed/unparsed', () => {
  const tree = buildTree({ 's00-raw': { 'raw.yaml': S00 } });
  runLines(tree, ['app: a', 'nope', 'app: b']);
  runLines(tree, ['x'], 'nginx');
  const m = tree.metrics.perNode().find((x) => x.name === 't/raw')!;
  assert.equal(m.hits, 3);
  assert.equal(m.ok, 2);
  assert.equal(m.ko, 1);
  assert.equal(tree.metrics.parsed, 2);
  assert.equal(tree.metrics.unparsed, 2);
  // per source, datasource and acquisition type (CrowdSec's source, type, acquis_type labels)
  assert.deepEqual(tree.metrics.perSource(), [
    { source: '/var/log/test.log', type: 'file', acquisType: 'syslog', hits: 3, ok: 2, ko: 1 },
    { source: '/var/log/test.log', type: 'file', acquisType: 'nginx', hits: 1, ok: 0, ko: 1 },
  ]);
  assert.deepEqual(
    tree.metrics.perNode().map((n) => [n.name, n.acquisType, n.hits]),
    [['t/raw', 'syslog', 3]],
  );
});

/** An s01 parser `name` with the child `nodes` (YAML text) under an 'app' filter that goes to the next stage. */
function prefilterFiles(name: string, nodes: string) {
  const head = `name: ${name}\nfilter: "evt.Parsed.program == 'app'"\nonsuccess: next_stage\nnodes:\n`;
  return { 's00-raw': { 'raw.yaml': S00 }, 's01-parse': { 'p.yaml': head + nodes } };
}

/** Runs `lines` with the children prefilter (tree a) and without it (tree b); asserts the same outcome. */
function samePrefiltered(files: ReturnType<typeof prefilterFiles>, lines: string[], before?: (a: ParserTree) => void) {
  const ta = buildTree(files);
  const tb = buildTree(files, { grokSetMinChildren: 0 });
  assert.notEqual(ta.nodes[1]!.childSet, null);
  assert.equal(tb.nodes[1]!.childSet, null);
  before?.(ta);
  const a = runLines(ta, lines);
  const b = runLines(tb, lines);
  assert.deepEqual(a.results, b.results);
  assert.deepEqual(
    a.recs.map((r) => [r.node, r.success, { ...r.snap.Parsed }, { ...r.snap.Meta }]),
    b.recs.map((r) => [r.node, r.success, { ...r.snap.Parsed }, { ...r.snap.Meta }]),
  );
  return a;
}

test('grok children prefilter (RE2.Set) does not change results', () => {
  const files = prefilterFiles(
    't/many',
    `  - grok:
      pattern: 'alpha %{WORD:a}'
      apply_on: message
  - grok:
      pattern: 'beta %{INT:b}'
      apply_on: message
      statics:
        - parsed: seen_beta
          value: "1"
  - grok:
      pattern: '^gamma %{IP:ip}$'
      apply_on: message
  - grok:
      pattern: 'delta'
      apply_on: message
  - filter: "evt.Parsed.a == 'x'"
    statics:
      - meta: child_static
        value: "1"
`,
  );
  const lines = [
    'app: alpha x',
    'app: beta 12',
    'app: gamma 1.2.3.4',
    'app: delta',
    'app: none',
    'app: beta x alpha y',
  ];
  const a = samePrefiltered(files, lines);
  assert.deepEqual(a.results, [PARSE_OK, PARSE_OK, PARSE_OK, PARSE_DROPPED, PARSE_DROPPED, PARSE_OK]);
});

test('grok children prefilter runs only once a second child reaches its grok, with the same results', () => {
  const files = prefilterFiles(
    't/filtered',
    `  - filter: "evt.Parsed.message startsWith 'Failed '"
    grok:
      pattern: '^Failed %{WORD:method} from %{IP:ip}'
      apply_on: message
  - filter: "evt.Parsed.message startsWith 'Accepted '"
    grok:
      pattern: '^Accepted %{WORD:method} from %{IP:ip}'
      apply_on: message
  - grok:
      pattern: 'from %{IP:ip} port %{INT:port}'
      apply_on: message
  - grok:
      pattern: 'closed by %{IP:ip}'
      apply_on: message
`,
  );
  const lines = [
    'app: Failed password from 1.2.3.4', // the first child matches: nothing else reaches a grok
    'app: Accepted key from 1.2.3.4', // the second filtered child: the only grok reached
    'app: Failed password from x port 22 closed by 5.6.7.8', // the first grok fails, the last one matches
    'app: nothing here',
  ];
  const asked: string[] = [];
  const a = samePrefiltered(files, lines, (ta) => {
    const set = ta.nodes[1]!.childSet!;
    const candidates = set.candidates.bind(set);
    set.candidates = (input: string) => {
      asked.push(input);
      return candidates(input);
    };
  });
  assert.deepEqual(a.results, [PARSE_OK, PARSE_OK, PARSE_OK, PARSE_DROPPED]);
  // lines 1-2: the one child whose filter passes matches (next_stage stops there); lines 3-4: a second child
  // reaches its grok, the set runs once
  assert.deepEqual(asked, ['Failed password from x port 22 closed by 5.6.7.8', 'nothing here']);
});

test('grok on a missing apply_on field fails without matching (even a pattern matching "")', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/empty-ok
grok:
  pattern: '%{DATA:x}'
  apply_on: nosuchfield
  statics:
    - parsed: grok_static
      value: ran
nodes:
  - statics:
      - parsed: child
        value: ran
---
name: t/expr-error
grok:
  pattern: '%{DATA:y}'
  expression: evt.Overflow.Alert.Scenario
`,
    },
  });
  const r = runLines(tree, ['line']);
  assert.deepEqual(
    r.recs.map((x) => x.success),
    [true, false],
  );
  const e = r.events[0]!;
  assert.equal(e.Parsed.x, undefined);
  assert.equal(e.Parsed.grok_static, undefined);
  assert.equal(e.Parsed.child, 'ran'); // the node succeeds through its child
  assert.equal(e.Parsed.y, undefined);
});

test('whitelist expression runtime error: not whitelisted, the node goes on', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/wl-err
whitelist:
  reason: r
  expression:
    - evt.Overflow.Alert.Scenario == 'x'
    - "true"
statics:
  - parsed: after
    value: "1"
---
name: t/plain
statics:
  - parsed: plain
    value: "1"
`,
    },
  });
  const r = runLines(tree, ['line']);
  assert.equal(r.events[0]!.Whitelisted, false);
  assert.deepEqual(
    r.recs.map((x) => x.success),
    [true, true],
  );
  assert.equal(r.events[0]!.Parsed.after, undefined); // statics of a whitelist node only when whitelisted
});

test('invalid whitelist IP and incomplete stash are load errors', () => {
  assert.throws(
    () => buildTree({ 's00-raw': { 'w.yaml': 'name: me/w\nwhitelist:\n  reason: r\n  ip:\n    - 1.2.3\n' } }),
    /whitelist\.ip/,
  );
  assert.throws(
    () =>
      buildTree({
        's00-raw': {
          's.yaml':
            'name: me/s\nstatics:\n  - meta: a\n    value: b\nstash:\n  - key: evt.Line.Raw\n    value: evt.Line.Raw\n    ttl: 1m\n',
        },
      }),
    /stash\[0\]\.name/,
  );
  assert.throws(
    () =>
      buildTree({
        's00-raw': {
          's.yaml':
            'name: me/s\nstatics:\n  - meta: a\n    value: b\nstash:\n  - name: n\n    key: evt.Line.Raw\n    value: evt.Line.Raw\n    ttl: 1x\n',
        },
      }),
    /stash\.ttl/,
  );
});

test('statics method: ParseDate (runs even with an empty value) and UnmarshalJSON; unknown method is a warning', () => {
  const tree = buildTree({
    's00-raw': {
      'a.yaml': `name: t/methods
statics:
  - method: ParseDate
    expression: evt.Parsed.nothing
  - parsed: after_empty_parsedate
    expression: evt.Enriched.MarshaledTime
  - target: evt.StrTime
    value: "2024-03-05T06:07:08Z"
  - method: ParseDate
    expression: evt.StrTime
  - meta: timestamp
    expression: evt.Enriched.MarshaledTime
  - method: UnmarshalJSON
    expression: evt.Line.Raw
  - meta: from_json
    expression: evt.Unmarshaled.user.name
  - method: NoSuchMethod
    value: x
  - meta: after_unknown
    value: ok
`,
    },
  });
  assert.ok(tree.warnings.some((w) => /NoSuchMethod/.test(w)));
  const r = runLines(tree, ['{"user": {"name": "zoe", "n": 3}}']);
  const e = r.events[0]!;
  assert.equal(r.results[0], PARSE_OK);
  assert.notEqual(e.Parsed.after_empty_parsedate, undefined); // ParseDate("") yields "now"
  assert.equal(e.Meta.timestamp, '2024-03-05T06:07:08Z');
  assert.equal(e.Time.toRFC3339Nano(), '2024-03-05T06:07:08Z'); // time-machine mode
  assert.equal(e.Meta.from_json, 'zoe');
  assert.equal((e.Unmarshaled.user as Record<string, unknown>).n, 3);
  assert.equal(e.Meta.after_unknown, 'ok');
});
