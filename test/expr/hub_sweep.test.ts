// Sweep: every expression in the shared hub (parsers, scenarios, postoverflows) must compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compileExpr, ExprCompileError, type ExprEnvName } from '../../src/expr/index.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const HUB = sharedPath('hub');

function walk(dir: string, out: string[]): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

interface Item {
  file: string;
  field: string;
  src: string;
  env: ExprEnvName;
}

function collectNode(node: Record<string, unknown>, file: string, path: string, out: Item[]): void {
  const add = (field: string, v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') out.push({ file, field: `${path}${field}`, src: v, env: 'evt' });
  };
  add('filter', node.filter);
  const grok = node.grok as Record<string, unknown> | undefined;
  if (grok) add('grok.expression', grok.expression);
  for (const key of ['statics', 'grok_statics']) {
    const st = key === 'statics' ? node.statics : grok?.statics;
    if (Array.isArray(st))
      st.forEach((s, i) => add(`statics[${i}].expression`, (s as Record<string, unknown>)?.expression));
  }
  const wl = node.whitelist as Record<string, unknown> | undefined;
  if (wl && Array.isArray(wl.expression)) wl.expression.forEach((e, i) => add(`whitelist.expression[${i}]`, e));
  if (Array.isArray(node.stash))
    node.stash.forEach((s, i) => {
      add(`stash[${i}].key`, (s as Record<string, unknown>)?.key);
      add(`stash[${i}].value`, (s as Record<string, unknown>)?.value);
    });
  if (Array.isArray(node.nodes))
    node.nodes.forEach((c, i) => collectNode(c as Record<string, unknown>, file, `${path}nodes[${i}].`, out));
}

function collectScenario(d: Record<string, unknown>, file: string, out: Item[]): void {
  const add = (field: string, v: unknown, env: ExprEnvName) => {
    if (typeof v === 'string' && v.trim() !== '') out.push({ file, field, src: v, env });
  };
  for (const f of ['filter', 'groupby', 'distinct', 'cancel_on']) add(f, d[f], 'evt');
  add('condition', d.condition, 'bucket');
  add('overflow_filter', d.overflow_filter, 'overflow_filter');
  const scope = d.scope as Record<string, unknown> | undefined;
  if (scope) add('scope.expression', scope.expression, 'evt');
  if (Array.isArray(d.bayesian_conditions))
    d.bayesian_conditions.forEach((c, i) =>
      add(`bayesian_conditions[${i}].condition`, (c as Record<string, unknown>)?.condition, 'bucket'),
    );
}

function collect(): Item[] {
  const out: Item[] = [];
  for (const area of ['parsers', 'scenarios', 'postoverflows']) {
    const dir = join(HUB, area);
    if (!existsSync(dir)) continue;
    for (const file of walk(dir, [])) {
      let docs;
      try {
        docs = parseAllDocuments(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      for (const doc of docs) {
        const d = doc.toJS() as Record<string, unknown> | null;
        if (!d || typeof d !== 'object') continue;
        if (area === 'scenarios') collectScenario(d, file, out);
        else collectNode(d, file, '', out);
      }
    }
  }
  return out;
}

test('every hub expression compiles', { skip: skipUnless(HUB) }, () => {
  const items = collect();
  assert.ok(items.length > 200, `expected many expressions, found ${items.length}`);
  const errors: string[] = [];
  for (const it of items) {
    try {
      compileExpr(it.src, { env: it.env, where: `${it.file}: ${it.field}` });
    } catch (e) {
      if (e instanceof ExprCompileError) errors.push(e.message);
      else errors.push(`${it.file}: ${it.field}: ${String(e)}`);
    }
  }
  assert.deepEqual(
    errors,
    [],
    `${errors.length} of ${items.length} hub expressions failed to compile:\n${errors.join('\n\n')}`,
  );
});

const HUB_TESTS = sharedPath('hub-tests');

test('every hubtest assertion line compiles (env hubtest)', { skip: skipUnless(HUB_TESTS) }, () => {
  const lines = new Map<string, string>();
  for (const t of readdirSync(HUB_TESTS)) {
    for (const f of ['parser.assert', 'scenario.assert']) {
      const p = join(HUB_TESTS, t, f);
      if (!existsSync(p)) continue;
      for (const l of readFileSync(p, 'utf8').split('\n'))
        if (l.trim() !== '' && !lines.has(l)) lines.set(l, `${t}/${f}`);
    }
  }
  assert.ok(lines.size > 1000, `expected many assertion lines, found ${lines.size}`);
  const errors: string[] = [];
  for (const [src, where] of lines) {
    try {
      const c = compileExpr(src, { env: 'hubtest', where });
      assert.ok(c.kind === 'bool' || c.kind === 'any', `${where}: ${src}: static kind ${c.kind}`);
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  assert.deepEqual(errors.slice(0, 20), [], `${errors.length} of ${lines.size} assertion lines failed to compile`);
});
