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
      ['id=1 UNION Select 2', true],
      ['q=hello', false],
      ['x=<SCRIPT>alert(1)', true],
      ['', false],
      ['a=SleeP(5)', true],
      ['q=hello', false],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [args, want] of cases) assert.equal(e.run({ evt: evt(args) }), want, `${args} (round ${round})`);
    }
    // count() visits every element: the invariant side must not leak from one run into the next
    const cnt = compileExpr("count(File('memo_words.txt'), {Lower(evt.Parsed.http_args) startsWith Lower(#)})", {
      env: 'evt',
      where: 'memo',
    });
    assert.equal(cnt.run({ evt: evt('UNION SELECT * FROM t') }), 1);
    assert.equal(cnt.run({ evt: evt('nothing') }), 0);
    assert.equal(cnt.run({ evt: evt('Sleep(1)') }), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invariant that depends on #, #index or a let bound inside the closure is not hoisted', () => {
  const e = compileExpr('map(["a","b","c"], {let u = Upper(#); u + Upper(evt.Parsed.k) + Upper(string(#index))})', {
    env: 'evt',
    where: 'memo',
  });
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

test('any(File(f), {X op E(#)}) over a data file gives the same answers as the general closure code', async () => {
  const { rng } = await import('../store/random.js');
  const dir = mkdtempSync(join(tmpdir(), 'picket-anyfile-'));
  try {
    const r = rng(42);
    const alphabet = 'abcAB/.%2E';
    const word = (n: number) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
      return s;
    };
    const lines = Array.from({ length: 25 }, () => word(1 + Math.floor(r() * 4)));
    writeFileSync(join(dir, 'anyfile_words.txt'), lines.join('\n') + '\n');
    assert.equal(loadDataFile('anyfile_words.txt', 'string', dir), null);
    const forms = [
      'evt.Parsed.x == #',
      '# == evt.Parsed.x',
      'evt.Parsed.x contains #',
      'evt.Parsed.x startsWith #',
      'evt.Parsed.x endsWith #',
      'Upper(evt.Parsed.x) contains Upper(#)',
      'Lower(evt.Parsed.x) endsWith Lower(#)',
      'Upper(PathUnescape(evt.Parsed.x)) startsWith Upper(#)',
    ];
    let fastSeen = 0;
    for (const f of forms) {
      const fast = compileExpr(`any(File('anyfile_words.txt'), {${f}})`, { env: 'evt', where: 'anyfile' });
      // `(… ) == true` is not a form anyOverFile knows: the general closure code
      const slow = compileExpr(`any(File('anyfile_words.txt'), {(${f}) == true})`, { env: 'evt', where: 'anyfile' });
      if (fast.code.includes('anyStrOp')) fastSeen++;
      assert.ok(!slow.code.includes('anyStrOp'));
      for (let k = 0; k < 300; k++) {
        const ev = new Event({ Raw: '' });
        ev.Parsed.x = r() < 0.3 ? lines[Math.floor(r() * lines.length)]! : word(Math.floor(r() * 9));
        assert.equal(fast.run({ evt: ev }), slow.run({ evt: ev }), `${f} on ${JSON.stringify(ev.Parsed.x)}`);
      }
    }
    assert.equal(fastSeen, forms.length, 'every form takes the specialised loop');
    // a missing file: false, as the closure code gives
    const none = compileExpr("any(File('no_such_file.txt'), {evt.Parsed.x contains #})", {
      env: 'evt',
      where: 'anyfile',
    });
    assert.equal(none.run({ evt: new Event({ Raw: '' }) }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pure call written several times in one expression is computed once per run, with the same result', () => {
  const e = compileExpr(
    "Upper(PathUnescape(evt.Parsed.p)) contains 'A%' or Upper(PathUnescape(evt.Parsed.p)) contains 'B/' or Upper(PathUnescape(evt.Parsed.p)) == 'C'",
    { env: 'evt', where: 'cse' },
  );
  const slots = new Set([...e.code.matchAll(/(h\d+) = F\.PathUnescape\(/g)].map((m) => m[1]));
  assert.equal(slots.size, 1, e.code);
  const ev = new Event({ Raw: '' });
  for (const [p, want] of [
    ['a%25', true],
    ['x', false],
    ['b%2F', true],
    ['c', true],
    ['a%', true],
    ['a', false],
    ['c', true],
    ['zz', false],
  ] as const) {
    ev.Parsed.p = p;
    assert.equal(e.run({ evt: ev }), want, p);
  }
});

test('RecentValues: answers of a pure function, remembered for the last few inputs only', async () => {
  const { RecentValues } = await import('../../src/expr/recent.js');
  let calls = 0;
  const r = new RecentValues((s) => {
    calls++;
    return s.toUpperCase();
  });
  const inputs = ['a', 'b', 'a', 'c', 'd', 'e', 'a', 'b', 'b', 'x', 'a'];
  for (const s of inputs) assert.equal(r.get(s), s.toUpperCase());
  // a, b, c, d, e computed; 'a' again after 4 others (evicted), 'b' evicted too, 'x' new; the rest remembered
  assert.ok(calls < inputs.length && calls >= 6, `${calls} calls`);
});
