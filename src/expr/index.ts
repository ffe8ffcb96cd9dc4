// Public API of the expression engine (expr-lang/expr v1.17 + CrowdSec helpers, expr.md):
// compileExpr() type-checks an expression against an environment schema and turns it into a
// JavaScript function once; run() evaluates it per event. Also re-exports data files, stash, hooks.
// Owns: CompiledExpr (the error classes are errors.ts), runtime-error accounting, goValueToString (parsing.md §6).

import { isMapObject, type Event } from '../core/event.js';
import { Compiler, kindOf } from './compile.js';
import { CompileErr, ExprCompileError, ExprRuntimeError } from './errors.js';
import * as rt from './runtime.js';
import { FUNCTIONS, HUBTEST_FUNCTIONS, TIME_EXTRA } from './functions.js';

export { ExprCompileError, ExprError, ExprRuntimeError } from './errors.js';

export type ExprEnvName = 'evt' | 'bucket' | 'overflow_filter' | 'profile' | 'hubtest';
export type ValueKind =
  'bool' | 'int' | 'float' | 'string' | 'nil' | 'time' | 'duration' | 'array' | 'map' | 'struct' | 'any';
export interface CompileOptions {
  env: ExprEnvName;
  where: string;
}
export interface ExprEnv {
  evt?: Event | null;
  queue?: unknown;
  leaky?: unknown;
  signal?: unknown;
  Alert?: unknown;
  results?: unknown;
}
export interface CompiledExpr {
  readonly source: string;
  readonly kind: ValueKind;
  /** the generated JavaScript (diagnostics and tests) */
  readonly code: string;
  run(env: ExprEnv): unknown;
}

export const exprMetrics = { runtimeErrors: 0 };

const F: Record<string, unknown> = {};
for (const [k, v] of Object.entries({ ...FUNCTIONS, ...HUBTEST_FUNCTIONS })) F[k] = v.fn;
for (const [k, v] of Object.entries(TIME_EXTRA)) F[`$time_${k}`] = v.fn;

class Compiled implements CompiledExpr {
  constructor(
    readonly source: string,
    readonly kind: ValueKind,
    private readonly where: string,
    private readonly fn: (env: ExprEnv) => unknown,
    readonly code: string,
  ) {}

  run(env: ExprEnv): unknown {
    try {
      rt.budget.left = rt.MAX_STEPS;
      const r = this.fn(env);
      return r === undefined ? null : r;
    } catch (e) {
      exprMetrics.runtimeErrors++;
      const msg =
        e instanceof TypeError
          ? `invalid memory address or nil pointer dereference (${e.message})`
          : e instanceof Error
            ? e.message
            : String(e);
      throw new ExprRuntimeError(this.where, this.source, msg);
    }
  }
}

/** Compiled functions are pure given their env, so identical (env, source) pairs share one (bounded cache). */
const cache = new Map<string, { fn: (env: ExprEnv) => unknown; kind: ValueKind; code: string }>();
const CACHE_MAX = 20000;

export function compileExpr(source: string, opts: CompileOptions): CompiledExpr {
  const key = `${opts.env}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return new Compiled(source, hit.kind, opts.where, hit.fn, hit.code);
  const c = new Compiler(opts.env);
  let gen;
  try {
    gen = c.generate(source);
  } catch (e) {
    if (e instanceof CompileErr) throw new ExprCompileError(opts.where, source, e.pos, e.message);
    throw new ExprCompileError(opts.where, source, 0, e instanceof Error ? e.message : String(e));
  }
  const fn = gen.factory(rt, F, c.constants) as (env: ExprEnv) => unknown;
  const kind = kindOf(gen.type) as ValueKind;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { fn, kind, code: gen.code });
  return new Compiled(source, kind, opts.where, fn, gen.code);
}

/** parsing.md §6: stringify a static / grok expression result. null = skip. */
export function goValueToString(value: unknown, kind: ValueKind): string | null | Error {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (kind === 'int') return String(Math.trunc(value));
    if (kind === 'float' || kind === 'any') return value.toFixed(6);
    return new Error(`unexpected type ${kind} (value ${value})`);
  }
  if (Array.isArray(value)) return null;
  if (kind === 'int' && typeof value === 'object' && typeof (value as { valueOf(): unknown }).valueOf() === 'number') {
    return String((value as { valueOf(): number }).valueOf()); // time.Weekday / time.Month are Go ints
  }
  if (typeof value === 'object' && isMapObject(value)) return null;
  return new Error(`unexpected return type ${rt.typeOfValue(value)}`);
}

export { loadDataFile, resetDataFiles } from './datafiles.js';
export { configureStash, stashSet, stashGet, resetStash } from './stash.js';
export { registerExprHooks, clearExprHooks, exprHooks, type ExprHooks } from './hooks.js';
