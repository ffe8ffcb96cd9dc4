// Expression language: grammar, operators, precedence quirks, semantics, compile vs runtime errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileExpr,
  ExprCompileError,
  ExprRuntimeError,
  exprMetrics,
  goValueToString,
  type ExprEnvName,
  type ExprEnv,
} from '../../src/expr/index.js';
import { Event, RuntimeAlert, Alert, Source, AlertEvent, OVFLW } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';

function mkEvt(): Event {
  const e = new Event({ Raw: 'raw line', Src: '/var/log/auth.log', Module: 'file' });
  e.Parsed.program = 'sshd';
  e.Parsed.msg = 'héllo wörld';
  e.Meta.source_ip = '1.2.3.4';
  e.Meta.log_type = 'ssh_failed-auth';
  e.Line.Labels.type = 'syslog';
  e.Unmarshaled.obj = JSON.parse('{"a":{"b":[1,2,{"c":"d"}]},"n":3,"s":"x","__proto__":{"p":1}}');
  e.Time = new GoTime(Date.UTC(2024, 0, 7, 13, 4, 5), 0, 0, 'UTC'); // a Sunday
  return e;
}

function ev(src: string, env: ExprEnv = { evt: mkEvt() }, name: ExprEnvName = 'evt'): unknown {
  return compileExpr(src, { env: name, where: 'test.yaml: filter' }).run(env);
}
function compileErr(src: string, name: ExprEnvName = 'evt'): ExprCompileError {
  try {
    compileExpr(src, { env: name, where: 'parsers/s01-parse/x.yaml: node x: filter' });
  } catch (e) {
    assert.ok(e instanceof ExprCompileError, `expected ExprCompileError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected a compile error for ${src}`);
}
function runErr(src: string, env: ExprEnv = { evt: mkEvt() }, name: ExprEnvName = 'evt'): ExprRuntimeError {
  const c = compileExpr(src, { env: name, where: 'w' });
  try {
    c.run(env);
  } catch (e) {
    assert.ok(e instanceof ExprRuntimeError, `expected ExprRuntimeError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected a runtime error for ${src}`);
}

test('literals: numbers in all forms', () => {
  assert.equal(ev('42'), 42);
  assert.equal(ev('0x2A'), 42);
  assert.equal(ev('0o52'), 42);
  assert.equal(ev('0b101010'), 42);
  assert.equal(ev('1_000'), 1000);
  assert.equal(ev('0.5'), 0.5);
  assert.equal(ev('.5'), 0.5);
  assert.equal(ev('1e3'), 1000);
  assert.equal(compileExpr('1e3', { env: 'evt', where: 'w' }).kind, 'float');
  assert.equal(compileExpr('1_000', { env: 'evt', where: 'w' }).kind, 'int');
});

test('literals: strings, escapes, raw strings, comments', () => {
  assert.equal(ev(`"a\\tb\\n"`), 'a\tb\n');
  assert.equal(ev(`'it\\'s'`), "it's");
  assert.equal(ev(`"\\xc3\\xa9\\x41\\u00e9\\U0001F600\\101\\u{1F600}"`), 'éAé😀A😀');
  assert.equal(ev(`"\\a\\b\\f\\v\\\\\\?"`), '\x07\b\f\v\\?');
  assert.equal(ev('`raw \\d string`'), 'raw \\d string');
  assert.equal(ev(`'^\\\\d+'`), '^\\d+');
  assert.equal(ev('1 + /* inline */ 2 // trailing'), 3);
  assert.equal(ev('true'), true);
  assert.equal(ev('false'), false);
  assert.equal(ev('nil'), null);
});

test('invalid escape such as \\d is a compile error with position', () => {
  const e = compileErr(`evt.Line.Raw matches '^\\d+'`);
  assert.match(e.message, /invalid char escape/);
  assert.equal(e.pos, 23);
  assert.match(e.message, /parsers\/s01-parse\/x\.yaml: node x: filter/);
  assert.match(e.message, /\(1:24\)/);
  compileErr(`"\\."`);
  compileErr(`"unterminated`);
});

test('arrays and maps literals, member access, indexes', () => {
  assert.deepEqual(ev('[1, "a", true]'), [1, 'a', true]);
  assert.deepEqual(ev('{a: 1, "b": 2}'), { a: 1, b: 2 });
  assert.equal(ev('{a: {b: 5}}.a.b'), 5);
  assert.equal(ev('{a: 1}["a"]'), 1);
  assert.equal(ev('[1,2,3][0]'), 1);
  assert.equal(ev('[1,2,3][-1]'), 3);
  assert.match(runErr('[1,2,3][3]').message, /index out of range/);
  assert.match(runErr('[1,2,3][-4]').message, /index out of range/);
});

test('slices on arrays and strings (byte offsets, clamped)', () => {
  assert.deepEqual(ev('[1,2,3,4][1:3]'), [2, 3]);
  assert.deepEqual(ev('[1,2,3,4][-2:]'), [3, 4]);
  assert.deepEqual(ev('[1,2,3,4][:10]'), [1, 2, 3, 4]);
  assert.deepEqual(ev('[1,2,3,4][3:1]'), []);
  assert.equal(ev('"abcdef"[2:4]'), 'cd');
  assert.equal(ev('"héllo"[0:3]'), 'hé'); // é is 2 bytes
  assert.equal(ev('"abc"[:-1]'), 'ab');
  assert.equal(ev('"abc"[-10:]'), 'abc');
  const e = mkEvt();
  e.Parsed.address = '10.0.0.1:8080';
  assert.equal(
    ev('let last_colon = lastIndexOf(evt.Parsed.address, ":"); evt.Parsed.address[:last_colon]', { evt: e }),
    '10.0.0.1',
  );
  assert.equal(ev('"abc"[1]'), 98); // byte
});

test('precedence: not binds tighter than ==', () => {
  // (not true) == false -> true
  assert.equal(ev('not true == false'), true);
  assert.equal(ev('!true == false'), true);
  // not on a string is a type error at compile time: (not evt.Meta.x) == 'a'
  compileErr(`not evt.Meta.log_type == 'a'`);
  assert.equal(ev(`not (evt.Meta.log_type == 'a')`), true);
});

test('precedence: arithmetic, unary minus, ** right-assoc, ^', () => {
  assert.equal(ev('1 + 2 * 3'), 7);
  assert.equal(ev('(1 + 2) * 3'), 9);
  assert.equal(ev('2 ** 3 ** 2'), 512);
  assert.equal(ev('2 ^ 3 ^ 2'), 512);
  assert.equal(ev('-2 ** 2'), -4);
  assert.equal(ev('10 - 2 - 3'), 5);
  assert.equal(ev('+5'), 5);
  assert.equal(ev('1 + 2 == 3'), true);
  assert.equal(ev('true || false && false'), true);
  assert.equal(ev('true or false and false'), true);
});

test('?? cannot be mixed on its right; chains of ?? are fine', () => {
  const e = compileErr('nil ?? 1 == 1');
  assert.match(e.message, /coalesce/);
  assert.equal(ev('nil ?? nil ?? 3'), 3);
  assert.equal(ev('(nil ?? 1) == 1'), true);
  assert.equal(ev('evt.Unmarshaled.missing ?? "dflt"'), 'dflt');
  assert.equal(ev('"x" ?? "dflt"'), 'x');
});

test('chained comparisons', () => {
  assert.equal(ev('1 < 2 < 3'), true);
  assert.equal(ev('1 < 3 < 2'), false);
  assert.equal(ev('1 <= 1 < 2 <= 2'), true);
  assert.equal(ev('3 > 2 >= 2'), true);
});

test('ranges, ternary, elvis, if/else, let, sequences', () => {
  assert.deepEqual(ev('1..4'), [1, 2, 3, 4]);
  assert.deepEqual(ev('3..1'), []);
  assert.equal(ev('1 > 2 ? "a" : "b"'), 'b');
  assert.equal(ev('true ? 1 : false ? 2 : 3'), 1);
  assert.equal(ev('false ?: true'), true);
  assert.equal(ev('if 1 > 2 { "a" } else { "b" }'), 'b');
  assert.equal(ev('if false { 1 } else if true { 2 } else { 3 }'), 2);
  assert.equal(ev('let x = 2; let y = x * 3; y + 1'), 7);
  assert.equal(ev('$env.evt.Meta.source_ip'), '1.2.3.4');
});

test('pipes', () => {
  assert.equal(ev('"Hello" | lower()'), 'hello');
  assert.equal(ev('evt.Parsed.program | Upper()'), 'SSHD');
  assert.deepEqual(ev('[1,2,3] | filter(# > 1) | map(# * 10)'), [20, 30]);
  assert.equal(ev('"a,b" | split(",") | join("-")'), 'a-b');
});

test('map[string]string missing keys read as "", Unmarshaled missing as nil', () => {
  assert.equal(ev('evt.Meta.nope'), '');
  assert.equal(ev('evt.Meta.nope == ""'), true);
  assert.equal(ev('evt.Parsed["nope"]'), '');
  assert.equal(ev('evt.Enriched.nope'), '');
  assert.equal(ev('evt.Line.Labels.type'), 'syslog');
  assert.equal(ev('evt.Line.Labels.nope'), '');
  assert.equal(ev('evt.Unmarshaled.nope'), null);
  assert.equal(ev('evt.Unmarshaled.nope == nil'), true);
  assert.equal(ev('"source_ip" in evt.Meta'), true);
  assert.equal(ev('"nope" in evt.Meta'), false);
  // prototype keys are never visible
  assert.equal(ev('evt.Meta.constructor'), '');
  assert.equal(ev('evt.Meta["__proto__"]'), '');
  assert.equal(ev('evt.Unmarshaled.obj.constructor'), null);
  assert.equal(ev('evt.Unmarshaled.obj.toString'), null);
  assert.equal(ev('evt.Unmarshaled.obj["__proto__"].p'), 1);
  assert.equal(ev('"constructor" in evt.Unmarshaled.obj'), false);
  assert.equal(ev('"constructor" in evt.Meta'), false);
});

test('nested any values and nil-safe access ?.', () => {
  assert.equal(ev('evt.Unmarshaled.obj.a.b[2].c'), 'd');
  assert.equal(ev('evt.Unmarshaled.obj.a.b[-1]["c"]'), 'd');
  assert.equal(ev('evt.Unmarshaled.obj.n + 1'), 4);
  assert.match(runErr('evt.Unmarshaled.nope.x').message, /nil/);
  assert.equal(ev('evt.Unmarshaled.nope?.x'), null);
  assert.equal(ev('evt.Unmarshaled.nope?.x.y.z'), null); // the whole chain is nil
  assert.equal(ev('evt.Unmarshaled.obj?.a.b[0]'), 1);
  assert.equal(ev('evt.Overflow?.Alert'), null);
  assert.equal(ev('evt.Overflow?.Alert.GetScenario()'), null);
  assert.equal(ev('evt.Unmarshaled.obj?.["s"]'), 'x');
  // member access on nil pointer without ?. is a runtime error
  assert.ok(runErr('evt.Overflow.Alert.Source.IP == "x"') instanceof ExprRuntimeError);
});

test('== never errors, compares numbers across int/float, different types unequal', () => {
  assert.equal(ev('3 == 3.0'), true);
  assert.equal(ev('"3" == 3'), false);
  assert.equal(ev('nil == nil'), true);
  assert.equal(ev('evt.Unmarshaled.obj.n == 3'), true);
  assert.equal(ev('evt.Unmarshaled.obj.n == "3"'), false);
  assert.equal(ev('evt.Unmarshaled.nope == ""'), false);
  assert.equal(ev('[1, 2] == [1, 2]'), true);
  assert.equal(ev('{a: 1} == {a: 1}'), true);
  assert.equal(ev('evt.Parsed.program != "x"'), true);
  assert.equal(ev('evt.Time == evt.Time'), true);
  assert.equal(ev('true != false'), true);
});

test('ordering on strings/numbers/times; mismatch is a runtime or compile error', () => {
  assert.equal(ev('"a" < "b"'), true);
  assert.equal(ev('2 >= 1.5'), true);
  assert.equal(ev('evt.Unmarshaled.obj.n > 2'), true);
  assert.equal(ev('evt.Time < now()'), true);
  assert.match(runErr('evt.Unmarshaled.obj.n > "2"').message, /invalid operation/);
  compileErr('"a" < 1');
});

test('arithmetic semantics: int/float, division, modulo, power, string concat', () => {
  assert.equal(ev('7 / 2'), 3.5);
  assert.equal(compileExpr('7 / 7', { env: 'evt', where: 'w' }).kind, 'float');
  assert.equal(ev('7 % 3'), 1);
  assert.equal(ev('-7 % 3'), -1);
  assert.match(runErr('let z = 0; 7 % z').message, /divide by zero/);
  assert.equal(ev('2 ** 10'), 1024);
  assert.equal(compileExpr('2 ** 2', { env: 'evt', where: 'w' }).kind, 'float');
  assert.equal(ev('"a" + "b" + evt.Parsed.program'), 'absshd');
  assert.equal(compileExpr('1 + 2', { env: 'evt', where: 'w' }).kind, 'int');
  assert.equal(compileExpr('1 + 2.0', { env: 'evt', where: 'w' }).kind, 'float');
  assert.equal(ev('2 * 3 - 1'), 5);
  assert.equal(ev('evt.Unmarshaled.obj.n * 2'), 6);
  assert.equal(ev('evt.Unmarshaled.obj.s + "y"'), 'xy');
  assert.match(runErr('evt.Unmarshaled.obj.s * 2').message, /invalid operation/);
  compileErr('"a" + 1');
  compileErr('"a" - "b"');
});

test('in / not in on arrays, maps, structs, nil', () => {
  assert.equal(ev(`evt.Meta.log_type in ['ssh_failed-auth', 'other']`), true);
  assert.equal(ev(`evt.Meta.log_type not in ['ssh_failed-auth', 'other']`), false);
  assert.equal(ev(`'x' in ['a', 'b']`), false);
  assert.equal(ev('2 in [1, 2.0]'), true);
  assert.equal(ev('evt.Unmarshaled.obj.n in [1, 3]'), true);
  assert.equal(ev('nil in ["", nil]'), true);
  assert.equal(ev('"a" in {a: 1}'), true);
  assert.equal(ev('"b" not in {a: 1}'), true);
  assert.equal(ev('"Meta" in evt'), true);
  assert.equal(ev('"Nope" in evt'), false);
  assert.equal(ev('"x" in evt.Unmarshaled.nope'), false);
  assert.equal(ev('"a" in evt.Unmarshaled.obj'), true);
  assert.equal(ev('let l = ["a", evt.Parsed.program]; "sshd" in l'), true);
});

test('matches (constant re2 at compile time, dynamic cached), invalid pattern is a compile error', () => {
  assert.equal(ev(`evt.Parsed.program matches '^ss.d$'`), true);
  assert.equal(ev(`evt.Parsed.program matches 'sh'`), true); // unanchored
  assert.equal(ev(`evt.Parsed.program not matches '^x'`), true);
  assert.equal(ev(`"ab12" matches "^[a-z]+\\\\d+$"`), true);
  assert.equal(ev(`evt.Parsed.program matches ("^" + "ssh")`), true);
  assert.equal(ev(`"Admin" matches "(?i)^admin$"`), true);
  const e = compileErr(`evt.Parsed.program matches '(unclosed'`);
  assert.match(e.message, /regexp/);
  assert.match(runErr(`evt.Parsed.program matches ("(" + evt.Meta.nope)`).message, /regexp/);
  assert.match(runErr(`evt.Unmarshaled.obj.n matches "x"`).message, /invalid operation/);
});

test('contains / startsWith / endsWith, with not; non-strings -> runtime error', () => {
  assert.equal(ev(`evt.Line.Raw contains 'line'`), true);
  assert.equal(ev(`evt.Line.Raw not contains 'zzz'`), true);
  assert.equal(ev(`evt.Line.Raw startsWith 'raw'`), true);
  assert.equal(ev(`evt.Line.Raw endsWith 'line'`), true);
  assert.equal(ev(`evt.Line.Raw not startsWith 'line'`), true);
  assert.equal(ev(`evt.Line.Raw not endsWith 'raw'`), true);
  assert.equal(ev(`evt.Unmarshaled.obj.s contains 'x'`), true);
  assert.match(runErr(`evt.Unmarshaled.obj.n contains 'x'`).message, /invalid operation/);
  assert.match(runErr(`evt.Unmarshaled.nope startsWith 'x'`).message, /invalid operation/);
  compileErr(`1 contains 'x'`);
});

test('and/or short-circuit (right side not evaluated)', () => {
  assert.equal(ev('false && evt.Overflow.Alert.GetScenario() == "x"'), false);
  assert.equal(ev('true || evt.Overflow.Alert.GetScenario() == "x"'), true);
  assert.equal(ev('evt.Meta.nope != "" and evt.Unmarshaled.nope.x == 1'), false);
  assert.equal(ev('nil ?? evt.Meta.source_ip'), '1.2.3.4');
  assert.equal(ev('"v" ?? evt.Overflow.Alert.Scenario'), 'v');
  assert.match(runErr('evt.Unmarshaled.obj.n && true').message, /non-bool/);
});

test('len counts code points; type()', () => {
  assert.equal(ev('len(evt.Parsed.msg)'), 11);
  assert.equal(ev('len("😀")'), 1);
  assert.equal(ev('len([1,2])'), 2);
  assert.equal(ev('len({a: 1})'), 1);
  assert.equal(ev('len(evt.Unmarshaled.obj.a.b)'), 3);
  assert.equal(compileExpr('len("x")', { env: 'evt', where: 'w' }).kind, 'int');
  assert.equal(ev('type(1)'), 'int');
  assert.equal(ev('type(1.5)'), 'float');
  assert.equal(ev('type("s")'), 'string');
  assert.equal(ev('type(nil)'), 'nil');
  assert.equal(ev('type([1])'), 'array');
  assert.equal(ev('type({a: 1})'), 'map');
  assert.equal(ev('type(evt.Unmarshaled.obj.n)'), 'float');
});

test('closures and predicate builtins', () => {
  assert.equal(ev('all([1,2,3], # > 0)'), true);
  assert.equal(ev('all([1,2,3], {# > 1})'), false);
  assert.equal(ev('none([1,2,3], # > 3)'), true);
  assert.equal(ev('any([1,2,3], # == 2)'), true);
  assert.equal(ev('any([], # == 2)'), false);
  assert.equal(ev('one([1,2,3], # == 2)'), true);
  assert.equal(ev('one([2,2,3], # == 2)'), false);
  assert.deepEqual(ev('filter([1,2,3,4], # % 2 == 0)'), [2, 4]);
  assert.deepEqual(ev('map([1,2,3], # * 2)'), [2, 4, 6]);
  assert.deepEqual(ev('map([1,2,3], #index)'), [0, 1, 2]);
  assert.equal(ev('find([1,2,3,4], # > 2)'), 3);
  assert.equal(ev('find([1,2], # > 5)'), null);
  assert.equal(ev('findIndex([1,2,3,4], # > 2)'), 2);
  assert.equal(ev('findLast([1,2,3,4], # > 2)'), 4);
  assert.equal(ev('findLastIndex([1,2,3,4], # > 2)'), 3);
  assert.equal(ev('findLastIndex([1,2], # > 5)'), -1);
  assert.equal(ev('count([1,2,3,4], # > 1)'), 3);
  assert.equal(ev('count([true, false, true])'), 2);
  assert.equal(ev('sum([1,2,3])'), 6);
  assert.equal(ev('sum([1,2,3], # * 2)'), 12);
  assert.deepEqual(ev('groupBy([1,2,3,4], # % 2 == 0)'), { false: [1, 3], true: [2, 4] });
  assert.deepEqual(ev('sortBy([3,1,2], #)'), [1, 2, 3]);
  assert.deepEqual(ev('sortBy([{n: 2}, {n: 1}], .n, "desc")'), [{ n: 2 }, { n: 1 }]);
  assert.equal(ev('reduce([1,2,3], #acc + #)'), 6);
  assert.equal(ev('reduce([1,2,3], #acc + #, 10)'), 16);
  assert.deepEqual(ev('filter([{a: 1}, {a: 2}], .a > 1)'), [{ a: 2 }]);
  assert.equal(ev('any([[1, 2], [3]], any(#, # == 3))'), true);
  assert.equal(ev('let t = 2; filter([1,2,3], # > t) | len()'), 1);
  assert.match(runErr('all(evt.Unmarshaled.obj.a.b, # > 0)').message, /invalid operation|non-bool/);
  compileErr('all([1,2], # + 1)');
});

test('predicates over typed queues (bucket env)', () => {
  const e1 = mkEvt();
  e1.Meta.exe = '/usr/bin/base64';
  const e2 = mkEvt();
  e2.Meta.exe = '/bin/sh';
  const env = { evt: e2, queue: { Queue: [e1, e2], L: 2 }, leaky: { Total_count: 2 } };
  assert.equal(ev(`any(queue.Queue, {.Meta.exe == "/usr/bin/base64"})`, env, 'bucket'), true);
  assert.equal(ev(`all(queue.Queue, {#.Meta.exe startsWith "/"})`, env, 'bucket'), true);
  assert.equal(ev(`len(queue.Queue) >= 2 && leaky.Total_count == 2`, env, 'bucket'), true);
  assert.deepEqual(ev(`map(queue.Queue[-1:], {.Meta.exe})`, env, 'bucket'), ['/bin/sh']);
  compileErr(`any(queue.Queue, {.Nope == 1})`, 'bucket');
});

test('compile-time checks: unknown variable, field, function, arity, method', () => {
  let e = compileErr('foo == 1');
  assert.match(e.message, /unknown name foo/);
  e = compileErr('evt.Metas.x == ""');
  assert.match(e.message, /has no field Metas/);
  assert.equal(e.pos, 4);
  e = compileErr('Foo(evt.Meta.x)');
  assert.match(e.message, /unknown function Foo/);
  assert.match(e.message, /parsers\/s01-parse\/x\.yaml/);
  assert.match(e.message, /Foo\(evt\.Meta\.x\)/);
  assert.match(e.message, /\(1:1\)/);
  e = compileErr('evt.Meta.x == "a" && Bar(1)');
  assert.equal(e.pos, 21);
  assert.match(e.message, /\n \| +\^/);
  compileErr('Upper()');
  compileErr('Upper("a", "b")');
  assert.match(compileErr('Upper(1)').message, /cannot use int as argument \(type string\) to call Upper/);
  compileErr('IpInRange(evt.Meta.ip, 24)');
  compileErr('ParseKV(evt.Line.Raw, evt.Meta.x, "p")');
  compileErr('Join(evt.Meta.x, ",")');
  compileExpr('Upper(evt.Unmarshaled.x) + Join(Split("a", ","), ",") + string(FloatApproxEqual(1, 1.0))', {
    env: 'evt',
    where: 'w',
  });
  compileErr('evt.GetMeta()');
  compileErr('evt.NoSuchMethod()');
  compileErr('evt.Line.Nope');
  compileErr('evt.Overflow.Alert.Source.Nope');
  compileErr('evt.Time.NoSuchThing()');
  compileErr('Alert.Nope', 'profile');
  compileErr('evt.Meta.x', 'profile'); // evt not in profile env
  compileErr('basename("x")', 'evt'); // hubtest-only helper
  compileErr('1 +');
  compileErr('(1 + 2');
  compileErr('[1, 2');
  compileErr('1 = 2');
  // any-typed values are only checked at run time
  compileExpr('evt.Unmarshaled.x.y.z.w()', { env: 'evt', where: 'w' });
  compileExpr('evt.Appsec.GetName()', { env: 'evt', where: 'w' });
});

test('runtime errors are ExprRuntimeError, counted, and never raw TypeErrors', () => {
  const before = exprMetrics.runtimeErrors;
  const e = runErr('evt.Overflow.Alert.GetScenario() == "x"');
  assert.equal(e.where, 'w');
  assert.equal(e.source, 'evt.Overflow.Alert.GetScenario() == "x"');
  runErr('int("abc")');
  assert.equal(exprMetrics.runtimeErrors, before + 2);
  // overflow_filter env: evt type-checks but is nil at runtime
  const c = compileExpr('evt.Meta.x == ""', { env: 'overflow_filter', where: 'w' });
  assert.throws(() => c.run({ signal: new RuntimeAlert(), queue: { Queue: [] }, leaky: {} }), ExprRuntimeError);
});

test('Go methods on Event, RuntimeAlert, Alert, Source, AlertEvent, time', () => {
  const e = mkEvt();
  assert.equal(ev('evt.GetType()', { evt: e }), 'log');
  assert.equal(ev('evt.GetMeta("source_ip")', { evt: e }), '1.2.3.4');
  assert.equal(ev('evt.SetMeta("k", "v") && evt.Meta.k == "v"', { evt: e }), true);
  assert.equal(ev('evt.SetParsed("k2", "v2")', { evt: e }), true);
  assert.equal(e.Parsed.k2, 'v2');
  assert.deepEqual(ev('evt.ParseIPSources()', { evt: e }), ['1.2.3.4']);
  assert.equal(ev('evt.Time.Hour()', { evt: e }), 13);
  assert.equal(ev('evt.Time.Weekday().String()', { evt: e }), 'Sunday');
  assert.equal(ev('evt.Time.Weekday() == 0', { evt: e }), true);
  assert.equal(ev('evt.Time.Unix()', { evt: e }), Date.UTC(2024, 0, 7, 13, 4, 5) / 1000);
  assert.equal(ev('evt.Time.Sub(evt.Time)', { evt: e }), 0);
  assert.equal(ev('evt.Time.Add(duration("1h")).Hour()', { evt: e }), 14);
  assert.equal(ev('(evt.Time + duration("1m")) - evt.Time == duration("1m")', { evt: e }), true);
  assert.equal(ev('evt.Time.Year() == 2024 && evt.Time.Month().String() == "January"', { evt: e }), true);

  const ovf = new Event();
  ovf.Type = OVFLW;
  const ra = new RuntimeAlert();
  const al = new Alert();
  al.Scenario = 'crowdsecurity/ssh-bf';
  al.EventsCount = 5;
  al.Remediation = true;
  const src = new Source();
  src.IP = '1.2.3.4';
  src.Scope = 'Ip';
  src.Value = '1.2.3.4';
  src.Cn = 'FR';
  al.Source = src;
  al.Events = [new AlertEvent('t', [{ Key: 'exe', Value: '/bin/x' }])];
  ra.Alert = al;
  ra.Sources['1.2.3.4'] = src;
  ovf.Overflow = ra;
  const env = { evt: ovf };
  assert.equal(ev('evt.GetType()', env), 'overflow');
  assert.equal(ev('evt.Overflow.Alert.GetScenario()', env), 'crowdsecurity/ssh-bf');
  assert.equal(ev('evt.Overflow.Alert.GetEventsCount()', env), 5);
  assert.equal(ev('evt.Overflow.Alert.GetScope() + ":" + evt.Overflow.Alert.GetValue()', env), 'Ip:1.2.3.4');
  assert.equal(ev('evt.Overflow.Alert.Source.IP', env), '1.2.3.4');
  assert.equal(ev('evt.Overflow.Alert.Remediation', env), true);
  assert.deepEqual(ev('evt.Overflow.GetSources()', env), ['1.2.3.4']);
  assert.equal(ev('evt.Overflow.Sources["1.2.3.4"].GetScope()', env), 'Ip');
  assert.equal(ev('evt.Overflow.Sources["1.2.3.4"].Cn', env), 'FR');
  assert.equal(ev(`all(evt.Overflow.Alert.Events, {.GetMeta('exe') == '/bin/x'})`, env), true);
  assert.equal(ev(`evt.Overflow.Alert.Events[0].GetMeta('exe')`, env), '/bin/x');
  assert.equal(ev(`evt.GetMeta('exe')`, env), '/bin/x');
  assert.equal(
    ev('Alert.GetScope() == "Ip" && Alert.Source.Cn == "FR" && Alert.GetEventsCount() > 1', { Alert: al }, 'profile'),
    true,
  );
  // plain objects (e.g. an Alert decoded from JSON) get Go-like getters
  const plain = JSON.parse(
    '{"Scenario":"s/x","EventsCount":2,"Source":{"Scope":"Ip","Value":"5.6.7.8"},"Meta":[{"Key":"k","Value":"v"}],"Events":[]}',
  );
  assert.equal(
    ev(
      'Alert.GetScenario() + Alert.GetScope() + Alert.GetValue() + Alert.GetMeta("k") + string(Alert.GetEventsCount())',
      { Alert: plain },
      'profile',
    ),
    's/xIp5.6.7.8v2',
  );
  assert.throws(() => ev('Alert.GetScope()', { Alert: { Source: null } }, 'profile'), ExprRuntimeError);
  assert.equal(
    ev('signal.Alert.Scenario', { signal: ra, queue: { Queue: [] }, leaky: {} }, 'overflow_filter'),
    'crowdsecurity/ssh-bf',
  );
});

test('constant folding and kinds', () => {
  const c = compileExpr('1 + 2 * 3 == 7 && "a" + "b" == "ab"', { env: 'evt', where: 'w' });
  assert.equal(c.run({ evt: null }), true);
  assert.equal(compileExpr('"a" + "b"', { env: 'evt', where: 'w' }).kind, 'string');
  assert.equal(compileExpr('evt.Meta.x == "a"', { env: 'evt', where: 'w' }).kind, 'bool');
  assert.equal(compileExpr('evt.Unmarshaled.x', { env: 'evt', where: 'w' }).kind, 'any');
  assert.equal(compileExpr('evt.Time', { env: 'evt', where: 'w' }).kind, 'time');
  assert.equal(compileExpr('duration("1s")', { env: 'evt', where: 'w' }).kind, 'duration');
});

test('goValueToString follows parsing.md §6', () => {
  assert.equal(goValueToString('x', 'string'), 'x');
  assert.equal(goValueToString(3, 'int'), '3');
  assert.equal(goValueToString(1.5, 'float'), '1.500000');
  assert.equal(goValueToString(3, 'any'), '3.000000'); // JSON numbers are float64
  assert.equal(goValueToString(null, 'nil'), null);
  assert.equal(goValueToString([1], 'array'), null);
  assert.equal(goValueToString({ a: 1 }, 'map'), null);
  assert.ok(goValueToString(true, 'bool') instanceof Error);
  assert.ok(goValueToString(GoTime.now(), 'time') instanceof Error);
  const wd = compileExpr('evt.Time.Weekday()', { env: 'evt', where: 'w' });
  assert.equal(goValueToString(wd.run({ evt: mkEvt() }), wd.kind), '0');
  const c = compileExpr('len(evt.Parsed.msg)', { env: 'evt', where: 'w' });
  assert.equal(goValueToString(c.run({ evt: mkEvt() }), c.kind), '11');
});

test('branches joined with nil keep their static kind (int stays int)', () => {
  const e = mkEvt();
  e.Unmarshaled.caddy = { status: 200, size: 0 };
  const t = compileExpr('evt.Unmarshaled.caddy.status != nil ? int(evt.Unmarshaled.caddy.status) : nil', {
    env: 'evt',
    where: 'w',
  });
  assert.equal(t.kind, 'int');
  assert.equal(goValueToString(t.run({ evt: e }), t.kind), '200');
  const z = compileExpr('int(evt.Unmarshaled.caddy.size) ?? nil', { env: 'evt', where: 'w' });
  assert.equal(goValueToString(z.run({ evt: e }), z.kind), '0');
  const mixed = compileExpr('evt.Parsed.x == "" ? 1 : 2.5', { env: 'evt', where: 'w' });
  assert.equal(mixed.kind, 'any');
  const none = compileExpr('evt.Unmarshaled.nope != nil ? int(evt.Unmarshaled.nope) : nil', { env: 'evt', where: 'w' });
  assert.equal(goValueToString(none.run({ evt: e }), none.kind), null);
});

test('hubtest env: results and basename', () => {
  const res = [{ Alert: { Scenario: 'a/b' } }];
  assert.equal(ev('basename("/a/b/c.log")', { results: res }, 'hubtest'), 'c.log');
  assert.equal(ev('len(results) == 1 && results[0].Alert.Scenario == "a/b"', { results: res }, 'hubtest'), true);
  // Event string maps reached through `any` keep map[string]string semantics
  const parsed = { 's01-parse': { 'x/y': [{ Evt: mkEvt() }] } };
  assert.equal(ev('results["s01-parse"]["x/y"][0].Evt.Parsed.program', { results: parsed }, 'hubtest'), 'sshd');
  assert.equal(ev('results["s01-parse"]["x/y"][0].Evt.Parsed.missing == ""', { results: parsed }, 'hubtest'), true);
  assert.equal(ev('results["s01-parse"]["x/y"][0].Evt.Line.Labels.nope', { results: parsed }, 'hubtest'), '');
  assert.equal(ev('results["s01-parse"]["x/y"][0].Evt.Unmarshaled.nope', { results: parsed }, 'hubtest'), null);
  assert.equal(ev('results["s01-parse"]["nope"]', { results: parsed }, 'hubtest'), null);
});
