// Hostile expressions (issue 11 §5): huge ranges and nested loops cannot hang, exhaust memory or kill the
// process. A constant range over the limit is a compile (load) error naming the expression; a range or a
// walk that is only known at run time is a runtime error (counted, the event skipped by the caller).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpr, ExprCompileError, ExprRuntimeError, exprMetrics } from '../../src/expr/index.js';
import { Event } from '../../src/core/event.js';

const compile = (src: string) => compileExpr(src, { env: 'evt', where: 'scenarios/hostile.yaml' });

test('a constant range over the limit is refused at compile time, naming the file and the expression', () => {
  for (const src of ['all(1..1000000000, {# > 0})', 'len(map(1..100000000, {#}))']) {
    assert.throws(
      () => compile(src),
      (e: unknown) => {
        assert.ok(e instanceof ExprCompileError, String(e));
        assert.match(e.message, /scenarios\/hostile\.yaml/);
        assert.match(e.message, /has \d+ elements, limit 1000000/);
        return true;
      },
    );
  }
});

test('ranges known at run time and nested walks stop with a runtime error, quickly and in bounded memory', () => {
  const before = exprMetrics.runtimeErrors;
  const big = compile('len(map(1..int(evt.Meta.n), {#}))');
  const evt = new Event();
  evt.Meta.n = '100000000';
  assert.throws(
    () => big.run({ evt }),
    (e: unknown) => e instanceof ExprRuntimeError && /limit 1000000/.test(e.message),
  );
  const nested = compile('any(1..100000, {any(1..100000, {# < 0})})');
  assert.throws(
    () => nested.run({ evt: new Event() }),
    (e: unknown) => e instanceof ExprRuntimeError && /too costly/.test(e.message),
  );
  assert.equal(exprMetrics.runtimeErrors, before + 2);
  // the budget is per evaluation: a modest walk runs every time
  const ok = compile('all(1..1000, {# > 0})');
  for (let i = 0; i < 50; i++) assert.equal(ok.run({ evt: new Event() }), true);
});
