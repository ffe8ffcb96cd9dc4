import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDataFile, matchRegexpFile, resetDataFiles } from '../../src/expr/datafiles.js';
import { compileExpr } from '../../src/expr/index.js';
import { Event } from '../../src/core/event.js';

test('RegexpInFile over a large regexp file (several RE2.Set chunks) finds a match in any chunk', () => {
  resetDataFiles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-re-'));
  const lines = ['# comment', ''];
  for (let i = 0; i < 200; i++) lines.push(`(?i)scanner-${i}\\b`);
  lines.push('^curl/[0-9.]+$');
  fs.writeFileSync(path.join(dir, 'ua.txt'), lines.join('\n'));
  assert.equal(loadDataFile('ua.txt', 'regexp', dir), null);
  assert.equal(matchRegexpFile('ua.txt', 'Mozilla SCANNER-7 x'), true);
  assert.equal(matchRegexpFile('ua.txt', 'zz scanner-199'), true);
  assert.equal(matchRegexpFile('ua.txt', 'curl/8.1.2'), true);
  assert.equal(matchRegexpFile('ua.txt', 'scanner-1999'), false);
  assert.equal(matchRegexpFile('ua.txt', 'Mozilla/5.0'), false);
  assert.equal(matchRegexpFile('missing.txt', 'x'), undefined);
  const e = new Event();
  e.Meta.http_user_agent = 'evil Scanner-150';
  const c = compileExpr('RegexpInFile(evt.Meta.http_user_agent, "ua.txt")', { env: 'evt', where: 'test' });
  assert.equal(c.run({ evt: e }), true);
  e.Meta.http_user_agent = 'fine';
  assert.equal(c.run({ evt: e }), false);
});

test('RegexpInFile answers stay right when they come from its per-string memory', () => {
  resetDataFiles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-re-'));
  fs.writeFileSync(path.join(dir, 'bots.txt'), '(?i)bot\\b\n^curl/\n');
  assert.equal(loadDataFile('bots.txt', 'regexp', dir), null);
  for (let round = 0; round < 3; round++) {
    assert.equal(matchRegexpFile('bots.txt', 'Googlebots'), false);
    assert.equal(matchRegexpFile('bots.txt', 'some BOT here'), true);
    assert.equal(matchRegexpFile('bots.txt', 'curl/8'), true);
    assert.equal(matchRegexpFile('bots.txt', 'x curl/8'), false);
    assert.equal(matchRegexpFile('bots.txt', 'bot'.padEnd(2000, '.')), true); // too long to remember: still right
  }
  // many distinct strings: the memory is bounded and cleared, answers unchanged
  for (let i = 0; i < 20000; i++)
    assert.equal(matchRegexpFile('bots.txt', i % 7 === 0 ? `a bot ${i}` : `agent ${i}`), i % 7 === 0);
});

test('matches with a literal prefilter: same answers as RE2 alone on random patterns and subjects', async () => {
  const { GuardedRegex } = await import('../../src/expr/regex.js');
  const RE2 = (await import('re2')).default;
  const { rng } = await import('../store/random.js');
  const r = rng(99);
  const atoms = [
    'a',
    'b',
    'ab',
    '\\.',
    '[ab]',
    '.',
    'a*',
    'b+',
    '(?:ab|ba)',
    '(?i)a',
    'x?',
    '\\Qa.b\\E',
    '^',
    '$',
    '(a|b)',
  ];
  const alphabet = 'abAB.x';
  let guarded = 0;
  for (let k = 0; k < 400; k++) {
    let p = '';
    const n = 1 + Math.floor(r() * 4);
    for (let j = 0; j < n; j++) p += atoms[Math.floor(r() * atoms.length)];
    let plain: InstanceType<typeof RE2>;
    try {
      plain = new RE2(p, 'u');
    } catch {
      continue;
    }
    const g = new GuardedRegex(p);
    for (let t = 0; t < 40; t++) {
      let s = '';
      const len = Math.floor(r() * 8);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      assert.equal(g.test(s), plain.test(s), `${p} on ${JSON.stringify(s)}`);
      if (!g.test(s)) guarded++;
    }
  }
  assert.ok(guarded > 1000, `${guarded} refusals compared`);
});
