// Parser file decoding and load-time validation: strict keys, malformed YAML, §3-§4 rules, compile errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseParserText, ParserLoadError, checkFormat } from '../../src/parser/config.js';
import { buildTree } from './helpers.js';

test('documents without name/description/author are skipped; raw scalar text kept', () => {
  const f = parseParserText(
    'x.yaml',
    'name: a\nfilter: "1 == 1"\nstatics:\n  - parsed: v\n    value: yes\n  - parsed: n\n    value: 1.50\n---\n# trailing\n---\nfilter: "true"\nstatics:\n  - meta: a\n    value: b\n',
  );
  assert.equal(f.nodes.length, 1);
  assert.equal(f.nodes[0]!.statics[0]!.value, 'yes');
  assert.equal(f.nodes[0]!.statics[1]!.value, '1.50');
});

test('malformed YAML names file and line', () => {
  assert.throws(
    () => parseParserText('bad.yaml', 'name: a\nfilter: [oops\nstatics: x\n'),
    (e: Error) => {
      assert.ok(e instanceof ParserLoadError);
      assert.match(e.message, /bad\.yaml/);
      assert.match(e.message, /line \d+/);
      return true;
    },
  );
});

test('unknown key is a load error naming file, document, node and key', () => {
  assert.throws(
    () =>
      parseParserText(
        'k.yaml',
        'name: first\nstatics:\n  - meta: a\n    value: b\n---\nname: second\nfitler: "true"\nstatics:\n  - meta: a\n    value: b\n',
      ),
    (e: Error) => {
      assert.match(e.message, /k\.yaml/);
      assert.match(e.message, /document 2/);
      assert.match(e.message, /"second"/);
      assert.match(e.message, /fitler/);
      assert.match(e.message, /line 7/);
      return true;
    },
  );
  // nested: unknown key in a static
  assert.throws(() => parseParserText('k2.yaml', 'name: n\nstatics:\n  - meta: a\n    valeu: b\n'), /valeu/);
  // nested: unknown key in grok
  assert.throws(
    () => parseParserText('k3.yaml', 'name: n\ngrok:\n  pattern: x\n  apply_on: Line.Raw\n  aply: 1\n'),
    /aply/,
  );
});

test('type errors: list where a string is expected', () => {
  assert.throws(
    () => parseParserText('t.yaml', 'name: n\nfilter:\n  - a\nstatics:\n  - meta: a\n    value: b\n'),
    /filter.*into string/,
  );
});

test('onsuccess values', () => {
  assert.throws(
    () => parseParserText('o.yaml', 'name: n\nonsuccess: next\nstatics:\n  - meta: a\n    value: b\n'),
    /onsuccess/,
  );
  for (const v of ['continue', 'next_stage']) {
    assert.equal(
      parseParserText('o.yaml', `name: n\nonsuccess: ${v}\nstatics:\n  - meta: a\n    value: b\n`).nodes.length,
      1,
    );
  }
});

test('Node is empty; grok needs pattern|name and apply_on|expression; statics shape', () => {
  assert.throws(() => parseParserText('e.yaml', 'name: n\nfilter: "true"\n'), /Node is empty/);
  assert.throws(
    () => parseParserText('e.yaml', 'name: n\nstash:\n  - name: s\n    key: "1"\n    value: "1"\n    ttl: 1m\n'),
    /Node is empty/,
  );
  assert.throws(() => parseParserText('g.yaml', 'name: n\ngrok:\n  apply_on: Line.Raw\n'), /pattern' or 'name/);
  assert.throws(() => parseParserText('g.yaml', 'name: n\ngrok:\n  pattern: "%{WORD:w}"\n'), /apply_on/);
  assert.throws(
    () => parseParserText('s.yaml', 'name: n\nstatics:\n  - enriched: a\n    value: b\n'),
    /meta\/event\/target/,
  );
  assert.throws(() => parseParserText('s.yaml', 'name: n\nstatics:\n  - meta: a\n'), /value or expression/);
  assert.throws(() => parseParserText('s.yaml', 'name: n\nstatics:\n  - method: ParseDate\n'), /method is set/);
  // children are validated too
  assert.throws(() => parseParserText('c.yaml', 'name: n\nnodes:\n  - filter: "true"\n'), /Node is empty/);
});

test('format constraint: >= 1.0, <= 3.0, node skipped otherwise', () => {
  assert.equal(checkFormat(''), null);
  assert.equal(checkFormat('2.0'), null);
  assert.equal(checkFormat('3.0'), null);
  assert.notEqual(checkFormat('4.0'), null);
  assert.notEqual(checkFormat('0.9'), null);
  const f = parseParserText('f.yaml', 'name: n\nformat: 5.0\nstatics:\n  - meta: a\n    value: b\n');
  assert.equal(f.nodes.length, 0);
  assert.equal(f.warnings.length, 1);
  assert.throws(
    () => parseParserText('f.yaml', 'name: n\nformat: abc\nstatics:\n  - meta: a\n    value: b\n'),
    /format/,
  );
});

test('unknown helper in a filter: error names file and node', () => {
  assert.throws(
    () =>
      buildTree({
        's00-raw': {
          'bad-filter.yaml':
            'name: me/bad\nfilter: "NoSuchHelper(evt.Line.Raw)"\nonsuccess: next_stage\nstatics:\n  - meta: a\n    value: b\n',
        },
      }),
    (e: Error) => {
      assert.match(e.message, /bad-filter\.yaml/);
      assert.match(e.message, /me\/bad/);
      assert.match(e.message, /filter/);
      return true;
    },
  );
});

test('unknown grok pattern: error names file, node, field', () => {
  assert.throws(
    () =>
      buildTree({
        's00-raw': { 'g.yaml': 'name: me/g\ngrok:\n  pattern: "%{NOPE_NOT_HERE:x}"\n  apply_on: Line.Raw\n' },
      }),
    (e: Error) => {
      assert.match(e.message, /g\.yaml/);
      assert.match(e.message, /me\/g/);
      assert.match(e.message, /grok\.pattern/);
      return true;
    },
  );
  assert.throws(
    () => buildTree({ 's00-raw': { 'g.yaml': 'name: me/g\ngrok:\n  name: NOPE_NOT_HERE\n  apply_on: Line.Raw\n' } }),
    /grok\.name/,
  );
});

test('RE2-incompatible pattern: error names file, node and pattern', () => {
  assert.throws(
    () =>
      buildTree({
        's00-raw': { 'lb.yaml': 'name: me/lookbehind\ngrok:\n  pattern: "(?<=foo)%{WORD:w}"\n  apply_on: Line.Raw\n' },
      }),
    (e: Error) => {
      assert.match(e.message, /lb\.yaml/);
      assert.match(e.message, /me\/lookbehind/);
      assert.match(e.message, /\(\?<=foo\)/);
      return true;
    },
  );
  assert.throws(
    () =>
      buildTree({
        's00-raw': { 'br.yaml': 'name: me/backref\ngrok:\n  pattern: "(a)\\\\1%{WORD:w}"\n  apply_on: Line.Raw\n' },
      }),
    /me\/backref/,
  );
});

test('bad expression in a static / invalid CIDR abort loading', () => {
  assert.throws(
    () => buildTree({ 's00-raw': { 'x.yaml': 'name: me/x\nstatics:\n  - meta: a\n    expression: "evt.Parsed["\n' } }),
    /me\/x.*statics\[0\]/s,
  );
  assert.throws(
    () => buildTree({ 's00-raw': { 'w.yaml': 'name: me/w\nwhitelist:\n  reason: r\n  cidr:\n    - 10.0.0.0/99\n' } }),
    /cidr/,
  );
});

test('YAML anchors/aliases resolve; duplicate keys are an error', () => {
  const f = parseParserText('a.yaml', 'name: &n me/alias\nstatics:\n  - meta: who\n    value: *n\n');
  assert.equal(f.nodes[0]!.statics[0]!.value, 'me/alias');
  assert.throws(() => parseParserText('d.yaml', 'name: a\nname: b\nstatics:\n  - meta: a\n    value: b\n'), /d\.yaml/);
});
