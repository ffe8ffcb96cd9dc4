// expr-lang builtins (expr.md §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr, ExprRuntimeError, ExprCompileError } from '../../src/expr/index.js';
import { Event } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';

function ev(src: string, evt: Event = new Event()): unknown {
  return compileExpr(src, { env: 'evt', where: 'builtins' }).run({ evt });
}
function rterr(src: string): void {
  assert.throws(() => ev(src), ExprRuntimeError);
}

test('math builtins: abs ceil floor round max min mean median', () => {
  assert.equal(ev('abs(-3)'), 3);
  assert.equal(ev('abs(-2.5)'), 2.5);
  assert.equal(ev('ceil(1.2)'), 2);
  assert.equal(ev('floor(1.8)'), 1);
  assert.equal(ev('round(2.5)'), 3);
  assert.equal(ev('round(-2.5)'), -3);
  assert.equal(ev('max(1, 5, 3)'), 5);
  assert.equal(ev('max([1, 7, 3])'), 7);
  assert.equal(ev('min(4, 2.5)'), 2.5);
  assert.equal(ev('min([4, 2])'), 2);
  assert.equal(ev('mean([1, 2, 3, 4])'), 2.5);
  assert.equal(ev('median([5, 1, 3])'), 3);
  assert.equal(ev('median([4, 1, 3, 2])'), 2.5);
  rterr('abs("x")');
});

test('int and float conversions', () => {
  assert.equal(ev('int("12")'), 12);
  assert.equal(ev('int(3.9)'), 3);
  assert.equal(ev('int(-3.9)'), -3);
  assert.equal(compileExpr('int("1")', { env: 'evt', where: 'w' }).kind, 'int');
  rterr('int("12a")');
  rterr('int("")');
  assert.equal(ev('float("1.5")'), 1.5);
  assert.equal(ev('float(2)'), 2);
  assert.equal(compileExpr('float(2)', { env: 'evt', where: 'w' }).kind, 'float');
  rterr('float("x")');
  assert.equal(ev('string(12)'), '12');
  assert.equal(ev('string(1.5)'), '1.5');
  assert.equal(ev('string(true)'), 'true');
  assert.equal(ev('string([1, "a"])'), '[1 a]');
  assert.equal(ev('string(nil)'), '<nil>');
});

test('string builtins', () => {
  assert.equal(ev('trim("  a b  ")'), 'a b');
  assert.equal(ev('trim("xxaxx", "x")'), 'a');
  assert.equal(ev('trimPrefix("foobar", "foo")'), 'bar');
  assert.equal(ev('trimPrefix(" x")'), 'x');
  assert.equal(ev('trimSuffix("foobar", "bar")'), 'foo');
  assert.equal(ev('upper("abé")'), 'ABÉ');
  assert.equal(ev('lower("ABÉ")'), 'abé');
  assert.deepEqual(ev('split("a,b,c", ",")'), ['a', 'b', 'c']);
  assert.deepEqual(ev('split("a,b,c", ",", 2)'), ['a', 'b,c']);
  assert.deepEqual(ev('split("abc", "")'), ['a', 'b', 'c']);
  assert.deepEqual(ev('splitAfter("a,b,c", ",")'), ['a,', 'b,', 'c']);
  assert.equal(ev('replace("aaa", "a", "b")'), 'bbb');
  assert.equal(ev('repeat("ab", 3)'), 'ababab');
  assert.equal(ev('join(["a", "b"], "-")'), 'a-b');
  assert.equal(ev('join(["a", "b"])'), 'ab');
  assert.equal(ev('indexOf("héllo", "l")'), 2);
  assert.equal(ev('indexOf("abc", "z")'), -1);
  assert.equal(ev('lastIndexOf("a.b.c", ".")'), 3);
  assert.equal(ev('hasPrefix("foobar", "foo")'), true);
  assert.equal(ev('hasSuffix("foobar", "bar")'), true);
  assert.equal(ev('hasSuffix("foobar", "foo")'), false);
  rterr('upper(evt.Unmarshaled.nope)');
});

test('JSON and base64 builtins', () => {
  assert.equal(ev('toJSON({b: 1, a: [1, "x"]})'), '{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": 1\n}');
  assert.equal(ev('toJSON("<a&b>")'), '"\\u003ca\\u0026b\\u003e"');
  assert.deepEqual(ev('fromJSON("{\\"a\\": [1, 2]}")'), { a: [1, 2] });
  assert.equal(ev('fromJSON("{\\"a\\": 5}").a'), 5);
  rterr('fromJSON("{bad")');
  assert.equal(ev('toBase64("hello")'), 'aGVsbG8=');
  assert.equal(ev('fromBase64("aGVsbG8=")'), 'hello');
  rterr('fromBase64("!!")');
});

test('time builtins: now, duration, date', () => {
  assert.ok(ev('now()') instanceof GoTime);
  assert.equal(ev('duration("1h30m")'), 5400e9);
  assert.equal(ev('duration("20m") > duration("19m")'), true);
  rterr('duration("3d")');
  const d = ev('date("2024-01-02T03:04:05Z")') as GoTime;
  assert.equal(d.toRFC3339Nano(), '2024-01-02T03:04:05Z');
  assert.equal(ev('date("2024-01-02 10:00:00").Hour()'), 10);
  assert.equal(ev('now() - date("2020-01-01") > duration("1h")'), true);
  assert.equal(ev('date("02/Jan/2024:10:11:12 +0100", "02/Jan/2006:15:04:05 -0700").UTC().Hour()'), 9);
  rterr('date("nope", "2006-01-02")');
  assert.equal(ev('timezone("Europe/Paris")'), 'Europe/Paris');
  assert.equal(ev('date("2024-03-04T05:06:07Z").Format("2006/01/02 15h04")'), '2024/03/04 05h06');
});

test('array builtins: first last get take keys values toPairs fromPairs reverse uniq concat flatten sort', () => {
  assert.equal(ev('first([3, 4])'), 3);
  assert.equal(ev('first([])'), null);
  assert.equal(ev('last([3, 4])'), 4);
  assert.equal(ev('get([1, 2], 1)'), 2);
  assert.equal(ev('get([1, 2], 5)'), null);
  assert.equal(ev('get({a: 1}, "a")'), 1);
  assert.equal(ev('get({a: 1}, "b")'), null);
  assert.equal(ev('get(evt.Unmarshaled, "nope")'), null);
  assert.deepEqual(ev('take([1, 2, 3], 2)'), [1, 2]);
  assert.deepEqual(ev('keys({a: 1, b: 2})'), ['a', 'b']);
  assert.deepEqual(ev('values({a: 1, b: 2})'), [1, 2]);
  assert.deepEqual(ev('toPairs({a: 1})'), [['a', 1]]);
  assert.deepEqual(ev('fromPairs([["a", 1], ["b", 2]])'), { a: 1, b: 2 });
  assert.deepEqual(ev('reverse([1, 2, 3])'), [3, 2, 1]);
  assert.deepEqual(ev('uniq([1, 2, 1, 3, 2])'), [1, 2, 3]);
  assert.deepEqual(ev('concat([1], [2, 3])'), [1, 2, 3]);
  assert.deepEqual(ev('flatten([1, [2, [3]]])'), [1, 2, 3]);
  assert.deepEqual(ev('sort([3, 1, 2])'), [1, 2, 3]);
  assert.deepEqual(ev('sort(["b", "a"], "desc")'), ['b', 'a']);
  rterr('sort([1], "up")');
});

test('bitwise builtins', () => {
  assert.equal(ev('bitand(12, 10)'), 8);
  assert.equal(ev('bitor(12, 10)'), 14);
  assert.equal(ev('bitxor(12, 10)'), 6);
  assert.equal(ev('bitnand(12, 10)'), 4);
  assert.equal(ev('bitnot(0)'), -1);
  assert.equal(ev('bitshl(1, 4)'), 16);
  assert.equal(ev('bitshr(-16, 2)'), -4);
  assert.equal(ev('bitushr(16, 2)'), 4);
});

test('builtin arity errors are compile errors', () => {
  assert.throws(() => compileExpr('len()', { env: 'evt', where: 'w' }), ExprCompileError);
  assert.throws(() => compileExpr('len(1, 2)', { env: 'evt', where: 'w' }), ExprCompileError);
  assert.throws(() => compileExpr('any([1])', { env: 'evt', where: 'w' }), ExprCompileError);
  assert.throws(() => compileExpr('trim', { env: 'evt', where: 'w' }), ExprCompileError);
});
