// Compiler optimisations inside closures (src/expr/compile.ts closureInvariant, rt.elemMemo): results must be
// exactly those of the unoptimised evaluation, run after run, event after event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileExpr, loadDataFile } from '../../src/expr/index.js';
import { Event } from '../../src/core/event.js';

function evt(args: string): Event {
  const e = new Event({ Raw: '' });
  e.Parsed.http_args = args;
  return e;
}

test('Upper(evt.X) inside a closure is recomputed for each run (per event), Upper(#) cached per data-file element', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-memo-'));
  try {
    writeFileSync(join(dir, 'memo_words.txt'), 'union select\n<script\nsleep(\n');
    assert.equal(loadDataFile('memo_words.txt', 'string', dir), null);
    const src = "any(File('memo_words.txt'), {Upper(evt.Parsed.http_args) contains Upper(#)})";
    const e = compileExpr(src, { env: 'evt', where: 'memo' });
    const cases: Array<[string, boolean]> = [
      ['id=1 UNION Select 2', true], ['q=hello', false], ['x=<SCRIPT>alert(1)', true], ['', false], ['a=SleeP(5)', true], ['q=hello', false],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [args, want] of cases) assert.equal(e.run({ evt: evt(args) }), want, `${args} (round ${round})`);
    }
    // count() visits every element: the invariant side must not leak from one run into the next
    const cnt = compileExpr("count(File('memo_words.txt'), {Lower(evt.Parsed.http_args) startsWith Lower(#)})", { env: 'evt', where: 'memo' });
    assert.equal(cnt.run({ evt: evt('UNION SELECT * FROM t') }), 1);
    assert.equal(cnt.run({ evt: evt('nothing') }), 0);
    assert.equal(cnt.run({ evt: evt('Sleep(1)') }), 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an invariant that depends on #, #index or a let bound inside the closure is not hoisted', () => {
  const e = compileExpr('map(["a","b","c"], {let u = Upper(#); u + Upper(evt.Parsed.k) + Upper(string(#index))})', { env: 'evt', where: 'memo' });
  const ev = new Event({ Raw: '' });
  ev.Parsed.k = 'x';
  assert.deepEqual(e.run({ evt: ev }), ['AX0', 'BX1', 'CX2']);
  ev.Parsed.k = 'y';
  assert.deepEqual(e.run({ evt: ev }), ['AY0', 'BY1', 'CY2']);
});

test('Upper of a literal folds at compile time', () => {
  const e = compileExpr("Upper('/tmui/login.jsp') == '/TMUI/LOGIN.JSP'", { env: 'evt', where: 'memo' });
  assert.equal(e.run({ evt: new Event({ Raw: '' }) }), true);
});
