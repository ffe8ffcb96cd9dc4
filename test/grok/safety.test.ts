// The 'safe' grok engine: backtracking analysis (safety.ts) verdicts, identical results to RE2, and adversarial
// inputs against every hub / default pattern the fast path accepts (asserting on what the engine did, not time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PatternLibrary, safeStats, type GrokPattern } from '../../src/grok/index.js';
import { analyzeBacktracking } from '../../src/grok/safety.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const HUB = sharedPath('hub');
const REPO = new URL('../../../', import.meta.url).pathname;

test('analysis refuses classic catastrophic shapes and accepts deterministic ones', () => {
  for (const bad of [
    '(a+)+b',
    '(a|aa)*b',
    '(.*)(.*)x',
    '^(.*),(.*);',
    '.*x.*y',
    '(?:a|ab)*c',
    '(\\w+\\s?)*$',
    '(?m)^a+$',
    '\\pL+',
    '(?:a(b)?)*c',
    '(?:x(y)){2}',
    '(?:a|b+)*c',
    '(?:ab|ac)*d',
  ]) {
    assert.equal(analyzeBacktracking(bad).safe, false, bad);
  }
  // (an escape-aware quoted string: an alternation of fixed-length branches with disjoint first characters)
  for (const ok of [
    '^[^ ]+ [0-9]+$',
    '^(?:\\.[a-z]{0,5})*;',
    'user=([a-z]+) ip=([0-9.]+)',
    '^(.*)$',
    'x (.*)',
    '"((?:[^"\\\\]|\\\\.)*)"',
    '(?:ab|cd)*x',
  ]) {
    assert.equal(analyzeBacktracking(ok).safe, true, ok);
  }
});

interface Src {
  pattern: string;
  syntax: Array<[string, string]>;
}

function collect(node: Record<string, unknown>, syntax: Array<[string, string]>, out: Src[]): void {
  const g = node.grok as Record<string, unknown> | undefined;
  if (g && typeof g.pattern === 'string' && g.pattern) out.push({ pattern: g.pattern, syntax });
  if (g && typeof g.name === 'string' && g.name) out.push({ pattern: `%{${g.name}}`, syntax });
  for (const c of (node.nodes as Record<string, unknown>[] | undefined) ?? []) collect(c, syntax, out);
}

function patternsOf(parsersDir: string): Src[] {
  const out: Src[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      if (!/\.ya?ml$/.test(f)) continue;
      for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) {
        const js = doc.toJS() as Record<string, unknown> | null;
        if (!js) continue;
        const syn = Object.entries((js.pattern_syntax as Record<string, string>) ?? {});
        collect(js, syn, out);
      }
    }
  };
  walk(parsersDir);
  return out;
}

function compileBoth(srcs: Src[], patternsDir: string | null): Array<{ safe: GrokPattern; re2: GrokPattern }> {
  const mk = (engine: 'safe' | 're2'): PatternLibrary => {
    const l = PatternLibrary.withBuiltins({ engine });
    if (patternsDir) l.loadDirectory(patternsDir);
    return l;
  };
  const ls = mk('safe'),
    lr = mk('re2');
  const out: Array<{ safe: GrokPattern; re2: GrokPattern }> = [];
  for (const s of srcs) {
    try {
      for (const [n, r] of s.syntax) {
        ls.addPatternSyntax(n, r, 't');
        lr.addPatternSyntax(n, r, 't');
      }
      out.push({ safe: ls.compile(s.pattern, 't'), re2: lr.compile(s.pattern, 't') });
    } catch {
      /* a pattern the library rejects is covered elsewhere */
    }
  }
  return out;
}

/** Inputs built to hurt a backtracking matcher: long runs of one class, alternating separators. */
function adversarial(len: number): string[] {
  const rep = (u: string): string => u.repeat(Math.ceil(len / u.length)).slice(0, len);
  return [
    rep('a'),
    rep(' '),
    rep('0'),
    rep('a '),
    rep('1.'),
    rep('a:'),
    rep('"\\'),
    rep('/a'),
    rep('%a '),
    rep('x port 1 '),
    'Mar 10 00:00:00 h sshd[1]: Failed password for ' + rep('a ') + ' from 1.2.3.4 port 22',
    '1.2.3.4 - - [10/Mar/2025:00:00:00 +0000] "GET ' + rep('/a') + ' HTTP/1.1" 200 1 "' + rep('\\"') + '" "x"',
  ];
}

for (const [name, dir, pat] of [
  ['hub', join(HUB, 'parsers'), join(HUB, 'patterns')],
  ['default content', join(REPO, 'parsers'), null],
] as const) {
  const skip = name === 'hub' ? skipUnless(dir) : false;
  test(
    `safe engine on ${name}: adversarial lines finish with RE2's result; over-long lines are refused`,
    { skip },
    () => {
      const pairs = compileBoth(patternsOf(dir), pat);
      const accepted = pairs.filter((p) => p.safe.extractor === 'safe-js');
      assert.ok(accepted.length > 0, 'some patterns use the fast path');
      for (const { safe, re2 } of accepted) {
        // under the length bound: the JS extractor runs (or RE2 says no match) and agrees with RE2
        for (const line of adversarial(safe.fastInputLimit - 200)) {
          const before = safeStats.jsExtract + safeStats.jsDisagree;
          const a = safe.exec(line),
            b = re2.exec(line);
          assert.deepEqual(
            a === null ? null : { ...a },
            b === null ? null : { ...b },
            `${safe.source} on ${line.slice(0, 40)}`,
          );
          if (b !== null && line.length <= safe.fastInputLimit)
            assert.equal(safeStats.jsExtract + safeStats.jsDisagree, before + 1, 'the fast path ran once');
        }
        // 100 KB: the fast path refuses it (RE2 extraction, linear)
        const refused = safeStats.refusedLength;
        const big = 'a '.repeat(50_000) + ' from 1.2.3.4 port 22';
        const a = safe.exec(big),
          b = re2.exec(big);
        assert.deepEqual(a === null ? null : { ...a }, b === null ? null : { ...b });
        if (safe.test(big)) assert.equal(safeStats.refusedLength, refused + 1);
      }
    },
  );
}

test('safe engine: non-ASCII input goes to RE2, results identical', () => {
  const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
  const g = ls.compile('^user=%{USERNAME:u} msg=%{GREEDYDATA:m}$', 't');
  assert.equal(g.extractor, 'safe-js');
  const n = safeStats.refusedNonAscii;
  assert.deepEqual({ ...g.exec('user=bob msg=héllo ☃')! }, { u: 'bob', m: 'héllo ☃' });
  assert.equal(safeStats.refusedNonAscii, n + 1);
  assert.deepEqual({ ...g.exec('user=bob msg=hello')! }, { u: 'bob', m: 'hello' });
});

test('trailing GREEDYDATA split: only for a top-level trailing (.*), identical results to RE2 (newlines included)', async () => {
  const { splitTrailingGreedy } = await import('../../src/grok/regex.js');
  assert.equal(splitTrailingGreedy('^(?:a (b+) (.*))'), '^(?:a (b+) )');
  assert.equal(splitTrailingGreedy('x|y (.*)'), null); // top-level alternation
  assert.equal(splitTrailingGreedy('(?:x|y (.*))'), null); // alternation in an enclosing group
  assert.equal(splitTrailingGreedy('(a (.*))'), null); // enclosing capture
  assert.equal(splitTrailingGreedy('(?s)a (.*)'), null); // '.' would cross newlines
  assert.equal(splitTrailingGreedy('a (.*)$'), null);
  assert.equal(splitTrailingGreedy('[(](.*)'), '[(]');
  const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
  const lr = PatternLibrary.withBuiltins({ engine: 're2' });
  const pats = [
    '^%{SYSLOGBASE} %{GREEDYDATA:msg}',
    '%{WORD:w} (?:x|y)? ?%{GREEDYDATA:rest}',
    '(?:%{INT:n}|%{WORD:w}) %{GREEDYDATA:rest}',
    '%{IP:ip}%{GREEDYDATA:rest}',
  ];
  const lines = [
    'Feb 12 14:10:21 host sshd[42]: hi there',
    'Feb 12 14:10:21 host sshd[42]: a\nb',
    'abc x tail\nmore',
    '12 y',
    'zz ',
    '1.2.3.4:22 rest\n',
    'nothing',
    '',
    'Feb 12 14:10:21 host sshd[42]: é ✓',
  ];
  for (const p of pats) {
    const a = ls.compile(p, 't'),
      b = lr.compile(p, 't');
    for (const l of lines) {
      const x = a.exec(l),
        y = b.exec(l);
      assert.deepEqual(x === null ? null : { ...x }, y === null ? null : { ...y }, `${p} on ${JSON.stringify(l)}`);
    }
  }
});

test(
  'safe engine equals RE2 on adversarial lines for every hub pattern (fast path or not)',
  { skip: skipUnless(HUB) },
  () => {
    const pairs = compileBoth(patternsOf(join(HUB, 'parsers')), join(HUB, 'patterns'));
    for (const { safe, re2 } of pairs) {
      for (const line of [...adversarial(300), 'a\n'.repeat(50), 'Feb 12 14:10:21 host sshd[42]: x\ny']) {
        const a = safe.exec(line),
          b = re2.exec(line);
        assert.deepEqual(a === null ? null : { ...a }, b === null ? null : { ...b }, `${safe.source}`);
      }
    }
  },
);
