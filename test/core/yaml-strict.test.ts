// core/yaml-strict.ts: the scalar readings and typed field reads every loader shares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldReader, goBool, goInt, unknownKey, yamlBool, type Expected } from '../../src/core/yaml-strict.js';

test('yaml.v2 scalars: booleans in their three spellings only, decimal and 0x integers', () => {
  for (const t of ['y', 'Yes', 'TRUE', 'on']) assert.equal(goBool(t), true, t);
  for (const f of ['n', 'No', 'false', 'OFF']) assert.equal(goBool(f), false, f);
  assert.equal(goBool('tRuE'), undefined);
  assert.equal(yamlBool('tRuE'), true);
  assert.equal(yamlBool(1), null);
  assert.equal(goInt('-12'), -12);
  assert.equal(goInt('0x1f'), 31);
  assert.equal(goInt('1.5'), undefined);
});

test("FieldReader: zero values for absent fields, the loader's error for a wrong type", () => {
  const fails: Array<[string, Expected]> = [];
  const r = new FieldReader({ a: 'x', n: 3, f: 1.5, b: true, s: 7, bad: [1] }, (key, expected) => {
    fails.push([key, expected]);
    throw new Error(`${key}: ${expected}`);
  });
  assert.equal(r.text('a'), 'x');
  assert.equal(r.text('s'), '7');
  assert.equal(r.text('missing'), '');
  assert.equal(r.int('n'), 3);
  assert.equal(r.num('f'), 1.5);
  assert.equal(r.bool('b'), true);
  assert.equal(r.bool('missing'), false);
  assert.throws(() => r.int('f'), /f: an integer/);
  assert.throws(() => r.text('bad'), /bad: a string/);
  assert.throws(() => r.bool('a'), /a: a boolean/);
  assert.deepEqual(
    fails.map((f) => f[1]),
    ['an integer', 'a string', 'a boolean'],
  );
  assert.equal(unknownKey({ a: 1, zz: 2 }, new Set(['a'])), 'zz');
  assert.equal(unknownKey({ a: 1 }, new Set(['a'])), undefined);
});
