// Type checker + JavaScript code generator for expressions (expr.md §1-§3).
// Owns: static typing against the environment schema (unknown names/fields/functions/arity are compile
// errors), the AST -> JS translation with fast paths for statically typed operands, constant folding,
// compile-time regex/Set constants, and the factory that builds the run() function with `new Function`.

import { GuardedRegex } from './regex.js';
import { type Node, parse, ParseError, PREDICATE_BUILTINS } from './parser.js';
import {
  type T,
  type MethodSig,
  ANY,
  BOOL,
  DURATION,
  FLOAT,
  INT,
  NIL,
  STRING,
  TIME,
  arr,
  map,
  envVars,
  timeMethods,
  typeName,
  WEEKDAY,
  type EnvName,
} from './schema.js';
import * as rt from './runtime.js';
import { CompileErr } from './errors.js';
import { FUNCTIONS, HUBTEST_FUNCTIONS, TIME_EXTRA, HELPER_PARAMS, type FnDef } from './functions.js';
import { errorMessage } from '../core/errors.js';

export { CompileErr };

interface Out {
  c: string;
  t: T;
  cv?: { v: unknown };
  chain?: { test: string; inner: string };
}
type BinNode = Extract<Node, { t: 'bin' }>;
/** a binary node's operands, generated, and their types (genBinary hands it to the step of its operator) */
interface BinCtx {
  op: string;
  n: BinNode;
  l: Out;
  r: Out;
  lt: T;
  rtT: T;
  anyL: boolean;
  anyR: boolean;
  /** both operands constant: the folded value (null when not foldable) */
  fold(v: () => unknown, t: T): Out | null;
}
interface ClosureCtx {
  p: string;
  i: string;
  acc: string | null;
  elem: T;
  accT: T;
  /** local holding the collection when it is a loaded data file (`File(...)`): same array every run, immutable */
  stable: string | null;
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/**
 * generated names of closure parameters (p1, i1, a1) and let locals (v_x_1): code using one is not
 * closure-invariant
 */
const CLOSURE_VARIABLE = /\b[pia]\d+\b|\bv_/;
/** helpers that are pure functions of their string arguments (no state, clock or I/O) */
const PURE_STRING_FUNCTIONS = new Set([
  'PathUnescape',
  'QueryUnescape',
  'PathEscape',
  'QueryEscape',
  'ToLower',
  'ToUpper',
  'TrimSpace',
  'B64Decode',
]);
const NUMERIC = new Set(['int', 'float', 'duration']);

function isNum(t: T): boolean {
  return NUMERIC.has(t.k);
}
function numResult(a: T, b: T): T {
  if (a.k === 'int' && b.k === 'int') return INT;
  if (a.k === 'duration' && (b.k === 'int' || b.k === 'duration')) return DURATION;
  if (b.k === 'duration' && a.k === 'int') return DURATION;
  return FLOAT;
}

function litCode(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '(-Infinity)';
    if (Object.is(v, -0)) return '(-0)';
    return v < 0 ? `(${v})` : String(v);
  }
  throw new Error('not a primitive');
}
function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
function constOut(v: unknown, t: T): Out {
  return { c: litCode(v), t, cv: { v } };
}
function propCode(obj: string, name: string): string {
  return IDENT_RE.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

export function kindOf(t: T): string {
  switch (t.k) {
    case 'struct':
      return t.name === 'time.Weekday' || t.name === 'time.Month' ? 'int' : 'struct';
    default:
      return t.k;
  }
}

export interface Generated {
  factory: (rt: unknown, F: unknown, K: unknown[]) => (env: unknown) => unknown;
  type: T;
  code: string;
}

export class Compiler {
  private consts: unknown[] = [];
  private hoisted: string[] = [];
  private locals: string[] = [];
  /** per-run memo slots of closure-invariant pure calls (reset at the start of each run) */
  private memos: string[] = [];
  /** memo slot of each memoised call's code (common subexpressions share it) */
  private memoOf = new Map<string, string>();
  private scopes: Map<string, { js: string; t: T }>[] = [];
  private closures: ClosureCtx[] = [];
  private uid = 0;
  private usedEnv = new Set<string>();
  private vars: Record<string, T>;
  private fns: Record<string, FnDef>;

  constructor(private env: EnvName) {
    this.vars = envVars(env);
    this.fns = env === 'hubtest' ? { ...FUNCTIONS, ...HUBTEST_FUNCTIONS } : FUNCTIONS;
  }

  private konst(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }
  private err(msg: string, n: { pos: number }): never {
    throw new CompileErr(msg, n.pos);
  }

  generate(src: string): Generated {
    let ast: Node;
    try {
      ast = parse(src);
    } catch (e) {
      if (e instanceof ParseError) throw new CompileErr(e.message, e.pos);
      throw e;
    }
    const out = this.gen(ast);
    const envDecl = [...this.usedEnv].map((v) => `e_${v} = env.${v} ?? null;`).join(' ');
    const decls = [...[...this.usedEnv].map((v) => `e_${v}`), ...this.locals, ...this.memos];
    const reset = this.memos.map((m) => `${m} = undefined;`).join(' ');
    const body = `"use strict";\n${decls.length ? `let ${decls.join(', ')};\n` : ''}${this.hoisted.join('\n')}\nreturn function run(env) { ${envDecl} ${reset} return ${out.c}; };`;
    const factory = new Function('rt', 'F', 'K', body) as Generated['factory'];
    return { factory, type: out.t, code: body };
  }

  get constants(): unknown[] {
    return this.consts;
  }

  private gen(n: Node): Out {
    switch (n.t) {
      case 'lit':
        if (n.v === null) return constOut(null, NIL);
        if (typeof n.v === 'string') return constOut(n.v, STRING);
        if (typeof n.v === 'boolean') return constOut(n.v, BOOL);
        return constOut(n.v, n.float ? FLOAT : INT);
      case 'ident':
        return this.genIdent(n);
      case 'ptr':
        return this.genPtr(n);
      case 'unary':
        return this.genUnary(n);
      case 'bin':
        return this.genBinary(n);
      case 'member':
        return this.genMember(n);
      case 'slice': {
        const { x, test } = this.chainStart(n.x, false);
        const f = n.from ? this.gen(n.from).c : 'null';
        const to = n.to ? this.gen(n.to).c : 'null';
        if (!(x.t.k === 'array' || x.t.k === 'string' || x.t.k === 'any' || x.t.k === 'nil'))
          this.err(`cannot slice ${typeName(x.t)}`, n);
        return this.chainEnd({ c: `rt.slice(${x.c}, ${f}, ${to})`, t: x.t.k === 'nil' ? ANY : x.t }, test);
      }
      case 'call':
        return this.genCall(n);
      case 'method':
        return this.genMethod(n);
      case 'closure':
        this.err('closure is only allowed as a builtin argument', n);
      // eslint-disable-next-line no-fallthrough
      case 'cond': {
        const c = this.gen(n.c);
        if (!(c.t.k === 'bool' || c.t.k === 'any'))
          this.err(`non-bool expression (type ${typeName(c.t)}) used as condition`, n.c);
        const a = this.gen(n.a);
        const b = this.gen(n.b);
        const cc = c.t.k === 'bool' ? c.c : `rt.bool(${c.c}, "?")`;
        if (c.cv) return c.cv.v ? a : b;
        return { c: `(${cc} ? ${a.c} : ${b.c})`, t: unifyTypes(a.t, b.t) };
      }
      case 'array': {
        const items = n.items.map((i) => this.gen(i));
        let elem: T = items.length ? items[0]!.t : ANY;
        for (const it of items) if (!sameType(it.t, elem)) elem = ANY;
        if (items.length && items.every((i) => i.cv && isPrimitive(i.cv.v))) {
          const v = items.map((i) => i.cv!.v);
          return { c: `${this.konst(v)}.slice()`, t: arr(elem) };
        }
        return { c: `[${items.map((i) => i.c).join(', ')}]`, t: arr(elem) };
      }
      case 'map': {
        const parts: string[] = [];
        let elem: T | null = null;
        for (let i = 0; i < n.keys.length; i++) {
          const k = this.gen(n.keys[i]!);
          const v = this.gen(n.vals[i]!);
          elem = elem === null ? v.t : sameType(elem, v.t) ? elem : ANY;
          parts.push(
            k.cv && typeof k.cv.v === 'string' ? `${JSON.stringify(k.cv.v)}: ${v.c}` : `[String(${k.c})]: ${v.c}`,
          );
        }
        return { c: `({${parts.join(', ')}})`, t: map(elem ?? ANY) };
      }
      case 'let': {
        const val = this.gen(n.val);
        const js = `v_${n.name.replace(/[^A-Za-z0-9_]/g, '_')}_${++this.uid}`;
        this.locals.push(js);
        this.scopes.push(new Map([[n.name, { js, t: val.t }]]));
        const body = this.gen(n.body);
        this.scopes.pop();
        return { c: `(${js} = ${val.c}, ${body.c})`, t: body.t };
      }
      case 'seq': {
        const items = n.items.map((i) => this.gen(i));
        return { c: `(${items.map((i) => i.c).join(', ')})`, t: items[items.length - 1]!.t };
      }
    }
  }

  private genIdent(n: { name: string; pos: number }): Out {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.get(n.name);
      if (v) return { c: v.js, t: v.t };
    }
    if (n.name === '$env') return { c: 'env', t: map(ANY) };
    const t = this.vars[n.name];
    if (t) {
      this.usedEnv.add(n.name);
      return { c: `e_${n.name}`, t };
    }
    if (this.fns[n.name] || PREDICATE_BUILTINS.has(n.name))
      this.err(`function ${n.name} used as a value (call it with parentheses)`, n);
    this.err(`unknown name ${n.name}`, n);
  }

  private genPtr(n: { name: string; pos: number }): Out {
    const c = this.closures[this.closures.length - 1];
    if (!c) this.err('cannot use pointer accessor outside predicate', n);
    if (n.name === '') return { c: c.p, t: c.elem };
    if (n.name === 'index') return { c: c.i, t: INT };
    if (n.name === 'acc') {
      if (!c.acc) this.err('#acc is only available in reduce', n);
      return { c: c.acc, t: c.accT };
    }
    // `#name` is a let/variable reference in expr; treat like a field of the element
    return this.memberOf({ c: c.p, t: c.elem }, n.name, false, n);
  }

  private genUnary(n: Extract<Node, { t: 'unary' }>): Out {
    const x = this.gen(n.x);
    if (n.op === 'not' || n.op === '!') {
      if (!(x.t.k === 'bool' || x.t.k === 'any'))
        this.err(`invalid operation: ${n.op} (mismatched type ${typeName(x.t)})`, n);
      if (x.cv && typeof x.cv.v === 'boolean') return constOut(!x.cv.v, BOOL);
      return { c: x.t.k === 'bool' ? `(!${x.c})` : `rt.not(${x.c})`, t: BOOL };
    }
    if (!(isNum(x.t) || x.t.k === 'any')) this.err(`invalid operation: ${n.op} (mismatched type ${typeName(x.t)})`, n);
    if (x.cv && typeof x.cv.v === 'number') return constOut(n.op === '-' ? -x.cv.v : x.cv.v, x.t);
    if (n.op === '-') return { c: isNum(x.t) ? `(-${x.c})` : `rt.neg(${x.c})`, t: x.t };
    return { c: isNum(x.t) ? `(+${x.c})` : `rt.pos(${x.c})`, t: x.t };
  }

  private mismatch(op: string, a: T, b: T, n: { pos: number }): never {
    this.err(`invalid operation: ${op} (mismatched types ${typeName(a)} and ${typeName(b)})`, n);
  }

  private genBinary(n: BinNode): Out {
    const op = n.op;
    const l = this.gen(n.l);
    if (op === 'in' && n.r.t === 'array' && n.r.items.every((i) => i.t === 'lit')) return this.genInConst(l, n.r.items);
    const r = this.gen(n.r);
    const fold = (v: () => unknown, t: T): Out | null => {
      if (!l.cv || !r.cv) return null;
      try {
        const res = v();
        return isPrimitive(res) ? constOut(res, t) : null;
      } catch {
        return null;
      }
    };
    const b: BinCtx = { op, n, l, r, lt: l.t, rtT: r.t, anyL: l.t.k === 'any', anyR: r.t.k === 'any', fold };
    switch (op) {
      case 'or':
      case '||':
      case 'and':
      case '&&':
        return this.genLogical(b);
      case '==':
      case '!=':
        return this.genEquality(b);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return this.genOrder(b);
      case 'in':
        return this.genIn(b);
      case 'matches':
        return this.genMatches(b);
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        return this.genStringTest(b);
      case '..':
        return this.genRange(b);
      case '+':
        return this.genAdd(b);
      case '-':
        return this.genSub(b);
      case '*':
      case '/':
      case '%':
      case '**':
      case '^':
        return this.genMultiplicative(b);
      case '??':
        if (l.cv) return l.cv.v === null ? r : l;
        return { c: `(${l.c} ?? ${r.c})`, t: unifyTypes(l.t, r.t) };
    }
    this.err(`unknown operator ${op}`, n);
  }

  /** `x in [literals]`: a Set lookup built at compile time */
  private genInConst(l: Out, items: Node[]): Out {
    const vals = items.map((i) => (i as { v: unknown }).v);
    if (l.cv)
      return constOut(
        vals.some((v) => rt.eq(l.cv!.v, v)),
        BOOL,
      );
    if (l.t.k === 'string' || l.t.k === 'bool' || l.t.k === 'nil' || l.t.k === 'any' || isNum(l.t)) {
      const set = new Set<unknown>(vals);
      if (set.has(null)) set.add(undefined);
      return { c: `${this.konst(set)}.has(${l.c})`, t: BOOL };
    }
    return { c: `rt.inOp(${l.c}, ${this.konst(vals)})`, t: BOOL };
  }

  private genLogical({ op, n, l, r, lt, rtT }: BinCtx): Out {
    const js = op === 'or' || op === '||' ? '||' : '&&';
    for (const [x, node] of [
      [l, n.l],
      [r, n.r],
    ] as const)
      if (!(x.t.k === 'bool' || x.t.k === 'any'))
        this.err(`invalid operation: ${op} (mismatched types ${typeName(lt)} and ${typeName(rtT)})`, node);
    if (l.cv && typeof l.cv.v === 'boolean') {
      if (js === '||' && l.cv.v) return constOut(true, BOOL);
      if (js === '&&' && !l.cv.v) return constOut(false, BOOL);
      return r.t.k === 'bool' ? r : { c: `rt.bool(${r.c}, "${op}")`, t: BOOL };
    }
    const a = lt.k === 'bool' ? l.c : `rt.bool(${l.c}, "${op}")`;
    const b = rtT.k === 'bool' ? r.c : `rt.bool(${r.c}, "${op}")`;
    return { c: `(${a} ${js} ${b})`, t: BOOL };
  }

  private genEquality({ op, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    const f = fold(() => rt.eq(l.cv!.v, r.cv!.v), BOOL);
    if (f) return op === '==' ? f : constOut(!f.cv!.v, BOOL);
    const neg = op === '!=';
    let c: string;
    const simple = (t: T) => t.k === 'string' || t.k === 'bool';
    if (l.cv && l.cv.v === null) c = `(${r.c} == null)`;
    else if (r.cv && r.cv.v === null) c = `(${l.c} == null)`;
    else if ((simple(lt) && (simple(rtT) || anyR)) || (simple(rtT) && anyL) || (isNum(lt) && isNum(rtT))) {
      if (!anyL && !anyR && lt.k !== rtT.k && !(isNum(lt) && isNum(rtT))) return constOut(neg, BOOL);
      c = `(${l.c} === ${r.c})`;
    } else c = `rt.eq(${l.c}, ${r.c})`;
    return { c: neg ? `(!${c})` : c, t: BOOL };
  }

  private genOrder({ op, n, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    const fn = ({ '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge' } as Record<string, string>)[op]!;
    const f = fold(
      () => (rt as unknown as Record<string, (a: unknown, b: unknown) => boolean>)[fn]!(l.cv!.v, r.cv!.v),
      BOOL,
    );
    if (f) return f;
    if (isNum(lt) && isNum(rtT)) return { c: `(${l.c} ${op} ${r.c})`, t: BOOL };
    if (lt.k === 'string' && rtT.k === 'string') return { c: `(${l.c} ${op} ${r.c})`, t: BOOL };
    if (lt.k === 'time' && rtT.k === 'time') return { c: `(${l.c}.compare(${r.c}) ${op} 0)`, t: BOOL };
    if (!anyL && !anyR && !(isStructNum(lt) || isStructNum(rtT))) this.mismatch(op, lt, rtT, n);
    return { c: `rt.${fn}(${l.c}, ${r.c})`, t: BOOL };
  }

  private genIn({ op, n, l, r, lt, rtT, anyL, anyR }: BinCtx): Out {
    if (rtT.k === 'map') {
      if (!(lt.k === 'string' || anyL)) this.mismatch(op, lt, rtT, n);
      return { c: `rt.hasKey(${r.c}, ${l.c})`, t: BOOL };
    }
    if (rtT.k === 'struct') {
      if (l.cv && typeof l.cv.v === 'string' && !rtT.open)
        return constOut(Object.prototype.hasOwnProperty.call(rtT.fields, l.cv.v), BOOL);
      return { c: `rt.inOp(${l.c}, ${r.c})`, t: BOOL };
    }
    if (!(rtT.k === 'array' || anyR || rtT.k === 'nil')) this.err(`operator "in" not defined on ${typeName(rtT)}`, n);
    return { c: `rt.inOp(${l.c}, ${r.c})`, t: BOOL };
  }

  private genMatches({ op, n, l, r, lt, rtT, anyL, anyR }: BinCtx): Out {
    if (!(lt.k === 'string' || anyL)) this.mismatch(op, lt, rtT, n);
    if (r.cv) {
      if (typeof r.cv.v !== 'string') this.mismatch(op, lt, rtT, n);
      let re: GuardedRegex;
      try {
        re = new GuardedRegex(r.cv.v);
      } catch (e) {
        this.err(`error parsing regexp: ${errorMessage(e)}`, n.r);
      }
      const k = this.konst(re);
      return { c: lt.k === 'string' ? `${k}.test(${l.c})` : `rt.matchesConst(${k}, ${l.c})`, t: BOOL };
    }
    if (!(rtT.k === 'string' || anyR)) this.mismatch(op, lt, rtT, n);
    return { c: `rt.matches(${l.c}, ${r.c})`, t: BOOL };
  }

  /** contains / startsWith / endsWith */
  private genStringTest({ op, n, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    if (!(lt.k === 'string' || anyL) || !(rtT.k === 'string' || anyR)) this.mismatch(op, lt, rtT, n);
    const js = op === 'contains' ? 'includes' : op;
    const f = fold(() => (l.cv!.v as string)[js as 'includes'](r.cv!.v as string), BOOL);
    if (f) return f;
    if (lt.k === 'string' && rtT.k === 'string') return { c: `${wrap(l.c)}.${js}(${r.c})`, t: BOOL };
    return { c: `rt.${op}(${l.c}, ${r.c})`, t: BOOL };
  }

  private genRange({ op, n, l, r, lt, rtT, anyL, anyR }: BinCtx): Out {
    if (!((lt.k === 'int' || anyL) && (rtT.k === 'int' || anyR))) this.mismatch(op, lt, rtT, n);
    if (
      l.cv &&
      r.cv &&
      typeof l.cv.v === 'number' &&
      typeof r.cv.v === 'number' &&
      r.cv.v - l.cv.v + 1 > rt.MAX_RANGE
    ) {
      this.err(`range ${l.cv.v}..${r.cv.v} has ${r.cv.v - l.cv.v + 1} elements, limit ${rt.MAX_RANGE}`, n);
    }
    return { c: `rt.range(${l.c}, ${r.c})`, t: arr(INT) };
  }

  private genAdd({ op, n, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    if (isNum(lt) && isNum(rtT)) {
      const t = numResult(lt, rtT);
      return fold(() => (l.cv!.v as number) + (r.cv!.v as number), t) ?? { c: `(${l.c} + ${r.c})`, t };
    }
    if (lt.k === 'string' && rtT.k === 'string')
      return fold(() => (l.cv!.v as string) + (r.cv!.v as string), STRING) ?? { c: `(${l.c} + ${r.c})`, t: STRING };
    if (lt.k === 'time' && rtT.k === 'duration') return { c: `${l.c}.Add(${r.c})`, t: TIME };
    if (lt.k === 'duration' && rtT.k === 'time') return { c: `${r.c}.Add(${l.c})`, t: TIME };
    if (!anyL && !anyR && !(lt.k === 'array' && rtT.k === 'array')) this.mismatch(op, lt, rtT, n);
    return {
      c: `rt.add(${l.c}, ${r.c})`,
      t: anyL || anyR ? (lt.k === 'string' || rtT.k === 'string' ? STRING : ANY) : lt,
    };
  }

  private genSub({ op, n, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    if (isNum(lt) && isNum(rtT)) {
      const t = numResult(lt, rtT);
      return fold(() => (l.cv!.v as number) - (r.cv!.v as number), t) ?? { c: `(${l.c} - ${r.c})`, t };
    }
    if (lt.k === 'time' && rtT.k === 'time') return { c: `${l.c}.Sub(${r.c})`, t: DURATION };
    if (lt.k === 'time' && rtT.k === 'duration') return { c: `${l.c}.Add(-${r.c})`, t: TIME };
    if (!anyL && !anyR) this.mismatch(op, lt, rtT, n);
    return { c: `rt.sub(${l.c}, ${r.c})`, t: lt.k === 'time' ? ANY : anyL && anyR ? ANY : FLOAT };
  }

  /** * / % ** ^ */
  private genMultiplicative({ op, n, l, r, lt, rtT, anyL, anyR, fold }: BinCtx): Out {
    if (!((isNum(lt) || anyL) && (isNum(rtT) || anyR))) this.mismatch(op, lt, rtT, n);
    const both = isNum(lt) && isNum(rtT);
    if (op === '*') {
      const t = both ? numResult(lt, rtT) : anyL || anyR ? (lt.k === 'int' && rtT.k === 'int' ? INT : ANY) : FLOAT;
      return (
        fold(() => (l.cv!.v as number) * (r.cv!.v as number), t) ?? {
          c: both ? `(${l.c} * ${r.c})` : `rt.mul(${l.c}, ${r.c})`,
          t,
        }
      );
    }
    if (op === '/')
      return (
        fold(() => (l.cv!.v as number) / (r.cv!.v as number), FLOAT) ?? {
          c: both ? `(${l.c} / ${r.c})` : `rt.div(${l.c}, ${r.c})`,
          t: FLOAT,
        }
      );
    if (op === '%') {
      if (lt.k === 'float' || rtT.k === 'float')
        this.err(`invalid operation: % (mismatched types ${typeName(lt)} and ${typeName(rtT)})`, n);
      const t = both ? numResult(lt, rtT) : INT;
      return (
        fold(() => rt.imod(l.cv!.v as number, r.cv!.v as number), t) ?? {
          c: both ? `rt.imod(${l.c}, ${r.c})` : `rt.mod(${l.c}, ${r.c})`,
          t,
        }
      );
    }
    return (
      fold(() => Math.pow(l.cv!.v as number, r.cv!.v as number), FLOAT) ?? {
        c: both ? `Math.pow(${l.c}, ${r.c})` : `rt.pow(${l.c}, ${r.c})`,
        t: FLOAT,
      }
    );
  }

  private memberOf(x: Out, name: string, opt: boolean, n: { pos: number }): Out {
    const t = x.t;
    if (opt && t.k !== 'any') {
      const res = this.memberOf({ c: 'X', t }, name, false, n);
      return { c: `rt.memberOpt(${x.c}, ${JSON.stringify(name)})`, t: res.t };
    }
    switch (t.k) {
      case 'struct': {
        const ft = t.fields[name];
        if (ft) return { c: propCode(x.c, name), t: ft };
        if (t.open) return { c: `rt.member(${x.c}, ${JSON.stringify(name)})`, t: ANY };
        if (t.methods[name]) this.err(`method ${name} of type ${t.name} must be called`, n);
        this.err(`type ${t.name} has no field ${name}`, n);
      }
      // eslint-disable-next-line no-fallthrough
      case 'map':
        return this.mapGet(x, t, JSON.stringify(name));
      case 'time':
        this.err(`type time.Time has no field ${name}`, n);
      // eslint-disable-next-line no-fallthrough
      case 'any':
      case 'nil':
        return { c: `rt.${opt ? 'memberOpt' : 'member'}(${x.c}, ${JSON.stringify(name)})`, t: ANY };
      default:
        this.err(`type ${typeName(t)} has no field ${name}`, n);
    }
  }

  private mapGet(x: Out, t: Extract<T, { k: 'map' }>, key: string): Out {
    if (t.np) {
      const zero =
        t.elem.k === 'string'
          ? '""'
          : t.elem.k === 'int' || t.elem.k === 'float'
            ? '0'
            : t.elem.k === 'bool'
              ? 'false'
              : 'null';
      return { c: `(${x.c}[${key}] ?? ${zero})`, t: t.elem };
    }
    if (t.elem.k === 'string') return { c: `rt.sget(${x.c}, ${key})`, t: STRING };
    return { c: `rt.mget(${x.c}, ${key})`, t: t.elem };
  }

  /** `?.` chains: once a nil is met at an optional step, the whole postfix chain is nil. */
  private chainStart(xn: Node, opt: boolean): { x: Out; test: string | null } {
    const x0 = this.gen(xn);
    let x: Out = x0.chain ? { c: x0.chain.inner, t: x0.t } : x0;
    let test = x0.chain ? x0.chain.test : null;
    if (opt) {
      const tmp = `t${++this.uid}`;
      this.locals.push(tmp);
      const t2 = `((${tmp} = ${x.c}) == null)`;
      test = test ? `(${test} || ${t2})` : t2;
      x = { c: tmp, t: x.t };
    }
    return { x, test };
  }
  private chainEnd(res: Out, test: string | null): Out {
    if (!test) return res;
    return { c: `(${test} ? null : ${res.c})`, t: res.t, chain: { test, inner: res.c } };
  }

  private genMember(n: Extract<Node, { t: 'member' }>): Out {
    const { x, test } = this.chainStart(n.x, n.opt);
    return this.chainEnd(this.genMember2(n, x), test);
  }

  private genMember2(n: Extract<Node, { t: 'member' }>, x: Out): Out {
    if (n.dot || (n.prop.t === 'lit' && typeof n.prop.v === 'string' && x.t.k !== 'any')) {
      const name = (n.prop as { v: unknown }).v;
      if (typeof name === 'string' && x.t.k !== 'array' && x.t.k !== 'string')
        return this.memberOf(x, name, false, n.dot ? n : n.prop);
    }
    const k = this.gen(n.prop);
    const fn = 'member';
    switch (x.t.k) {
      case 'array':
        if (!(k.t.k === 'int' || k.t.k === 'any'))
          this.err(`array elements can only be selected using an integer (got ${typeName(k.t)})`, n.prop);
        return { c: `rt.index(${x.c}, ${k.c})`, t: x.t.elem };
      case 'string':
        if (!(k.t.k === 'int' || k.t.k === 'any')) this.err(`cannot use ${typeName(k.t)} as index to string`, n.prop);
        return { c: `rt.index(${x.c}, ${k.c})`, t: INT };
      case 'map':
        if (!(k.t.k === 'string' || k.t.k === 'any'))
          this.err(`cannot use ${typeName(k.t)} to get an element from ${typeName(x.t)}`, n.prop);
        return this.mapGet(x, x.t, k.c);
      case 'struct':
        if (!(k.t.k === 'string' || k.t.k === 'any'))
          this.err(`cannot use ${typeName(k.t)} to get a field of ${typeName(x.t)}`, n.prop);
        return { c: `rt.${fn}(${x.c}, ${k.c})`, t: ANY };
      case 'any':
      case 'nil':
        return { c: `rt.${fn}(${x.c}, ${k.c})`, t: ANY };
      default:
        this.err(`type ${typeName(x.t)} does not support indexing`, n);
    }
  }

  private checkArity(name: string, min: number, max: number, got: number, n: { pos: number }): void {
    if (got < min)
      this.err(
        `not enough arguments to call ${name} (expected ${min === max ? min : 'at least ' + min}, got ${got})`,
        n,
      );
    if (got > max) this.err(`too many arguments to call ${name} (expected ${max}, got ${got})`, n);
  }

  private genMethod(n: Extract<Node, { t: 'method' }>): Out {
    const { x, test } = this.chainStart(n.x, n.opt);
    return this.chainEnd(this.genMethod2(n, x), test);
  }

  private genMethod2(n: Extract<Node, { t: 'method' }>, x: Out): Out {
    const args = n.args.map((a) => this.gen(a));
    const argc = args.map((a) => a.c).join(', ');
    let sig: MethodSig | undefined;
    if (x.t.k === 'struct') {
      sig = x.t.methods[n.name];
      if (!sig && !x.t.open) {
        if (x.t.fields[n.name]) this.err(`field ${n.name} of type ${x.t.name} is not a method`, n);
        this.err(`type ${x.t.name} has no method ${n.name}`, n);
      }
    } else if (x.t.k === 'time') {
      sig = timeMethods()[n.name];
      const extra = TIME_EXTRA[n.name];
      if (!sig && extra) {
        this.checkArity(n.name, extra.min, extra.max, args.length, n);
        return { c: `F.$time_${n.name}(${x.c}${argc ? ', ' + argc : ''})`, t: extra.ret as T };
      }
      if (!sig) this.err(`type time.Time has no method ${n.name}`, n);
    } else if (x.t.k !== 'any' && x.t.k !== 'nil') {
      this.err(`type ${typeName(x.t)} has no method ${n.name}`, n);
    }
    if (sig) {
      this.checkArity(n.name, sig.min, sig.max, args.length, n);
      if (x.t.k === 'time' || (x.t.k === 'struct' && x.t.name.startsWith('time.')))
        return { c: `${propCode(wrap(x.c), n.name)}(${argc})`, t: sig.ret };
      const nm = JSON.stringify(n.name);
      if (args.length === 0) return { c: `rt.m0(${x.c}, ${nm})`, t: sig.ret };
      if (args.length === 1) return { c: `rt.m1(${x.c}, ${nm}, ${argc})`, t: sig.ret };
      return { c: `rt.mN(${x.c}, ${nm}, [${argc}])`, t: sig.ret };
    }
    return { c: `rt.call(${x.c}, ${JSON.stringify(n.name)}, [${argc}])`, t: ANY };
  }

  private genCall(n: Extract<Node, { t: 'call' }>): Out {
    if (PREDICATE_BUILTINS.has(n.name)) return this.genPredicate(n);
    const def = this.fns[n.name];
    if (!def) {
      if (this.vars[n.name]) this.err(`${n.name} is not callable`, n);
      this.err(`unknown function ${n.name}`, n);
    }
    this.checkArity(n.name, def.min, def.max, n.args.length, n);
    const args = n.args.map((a) => {
      if (a.t === 'closure') this.err(`closure not allowed as argument of ${n.name}`, a);
      return this.gen(a);
    });
    for (let i = 0; i < args.length; i++) {
      const t = args[i]!.t;
      if (
        t.k === 'struct' &&
        ![
          'type',
          'string',
          'Sprintf',
          'ToJsonString',
          'toJSON',
          'LogInfo',
          'get',
          'Flatten',
          'Distinct',
          'FlattenDistinct',
          'ToString',
        ].includes(n.name) &&
        !t.open
      ) {
        this.err(`cannot use ${t.name} as argument ${i + 1} of ${n.name}`, n.args[i]!);
      }
    }
    const params = HELPER_PARAMS[n.name];
    if (params) {
      const fixed = params.split('*')[0]!;
      const variadic = params.includes('*') ? params[params.length - 1]! : null;
      for (let i = 0; i < args.length; i++) {
        const want = i < fixed.length ? fixed[i]! : variadic;
        if (want && !assignable(args[i]!.t, want)) {
          this.err(
            `cannot use ${typeName(args[i]!.t)} as argument (type ${PARAM_NAMES[want]}) to call ${n.name}`,
            n.args[i]!,
          );
        }
      }
    }
    const ret = typeof def.ret === 'function' ? def.ret(args.map((a) => a.t)) : def.ret;
    // fast paths
    if (n.name === 'len' && args[0]!.t.k === 'string')
      return args[0]!.cv
        ? constOut(rt.lenStr(args[0]!.cv.v as string), INT)
        : { c: `rt.lenStr(${args[0]!.c})`, t: INT };
    if (n.name === 'len' && args[0]!.t.k === 'array') return { c: `rt.lenArr(${args[0]!.c})`, t: INT };
    const caseFn =
      n.name === 'Lower' || n.name === 'lower' ? 'lower' : n.name === 'Upper' || n.name === 'upper' ? 'upper' : null;
    if (caseFn !== null && args[0]!.t.k === 'string') {
      // Upper('literal') folds at compile time; Upper(evt.X) inside a closure is computed once per run
      if (args[0]!.cv) return constOut(rt[caseFn](args[0]!.cv.v as string), STRING);
      const c = this.closures[this.closures.length - 1];
      if (c && c.stable !== null && args[0]!.c === c.p) {
        // Upper(#) over a data file: computed once per element of that file, then reused by every run
        return {
          c: `rt.elemMemo(${this.konst({ src: null, vals: [] })}, ${c.stable}, ${c.i}, rt.${caseFn})`,
          t: STRING,
        };
      }
      return this.closureInvariant({ c: `rt.${caseFn}(${args[0]!.c})`, t: STRING });
    }
    let argc = args.map((a) => a.c).join(', ');
    if (def.kinds) argc = `${this.konst(args.map((a) => kindOf(a.t)))}${argc ? ', ' + argc : ''}`;
    const call = { c: `F.${n.name}(${argc})`, t: ret };
    return PURE_STRING_FUNCTIONS.has(n.name) ? this.closureInvariant(call) : call;
  }

  /**
   * Loop-invariant code motion for closures and common subexpressions: a pure call whose code uses no closure
   * variable (#, #index, #acc, nor a let binding) is evaluated at most once per run, lazily at its first use:
   * inside a predicate (`any(File(...), {Upper(evt.X) contains Upper(#)})`) instead of once per element, and
   * once for all the places it is written. Lazy + pure means the result and any runtime error are exactly
   * those of the unoptimised code.
   */
  private closureInvariant(o: Out): Out {
    if (CLOSURE_VARIABLE.test(o.c)) return o;
    // the same call written twice (`Upper(PathUnescape(evt.Meta.http_path)) contains 'a' or … contains 'b'`)
    // shares one slot: computed once per run, at its first use
    let m = this.memoOf.get(o.c);
    if (m === undefined) {
      m = `h${++this.uid}`;
      this.memos.push(m);
      this.memoOf.set(o.c, m);
    }
    return { c: `(${m} === undefined ? (${m} = ${o.c}) : ${m})`, t: o.t };
  }

  /**
   * `any(File(f), {X op E})` with op one of == contains startsWith endsWith, E = `#`, `Upper(#)` or `Lower(#)`
   * and X a string that does not depend on the element (a field, maybe through Upper/Lower/unescaping): one
   * runtime loop over the file's (transformed, cached) lines, or a Set for ==, instead of a closure call per
   * line. X is evaluated once, only when the file has lines, like the closure would (X is pure: no effect is
   * lost). Anything else keeps the general predicate code.
   */
  private anyOverFile(a: Out, pred: Node): Out | null {
    const body = pred.t === 'closure' ? pred.body : pred;
    if (body.t !== 'bin' || !(body.op in ANY_OPS)) return null;
    let xNode = body.l,
      eNode = body.r;
    if (body.op === '==' && isElementRef(xNode)) {
      xNode = body.r;
      eNode = body.l;
    }
    const f = elementRef(eNode);
    if (f === null || !isInvariantString(xNode)) return null;
    const x = this.gen(xNode);
    if (x.t.k !== 'string') return null;
    const arrVar = `t${++this.uid}`;
    this.locals.push(arrVar);
    const slot = this.konst({ src: null, vals: [], set: null, seen: null });
    return {
      c: `((${arrVar} = ${a.c}).length === 0 ? false : rt.anyStrOp(${slot}, ${arrVar}, ${ANY_OPS[body.op]}, ${f === 'id' ? 'null' : `rt.${f}`}, ${x.c}))`,
      t: BOOL,
    };
  }

  private genPredicate(n: Extract<Node, { t: 'call' }>): Out {
    const name = n.name;
    const min = ['count', 'sum'].includes(name) ? 1 : 2;
    const max = ['sortBy', 'reduce'].includes(name) ? 3 : 2;
    this.checkArity(name, min, max, n.args.length, n);
    const a = this.gen(n.args[0]!);
    if (!(a.t.k === 'array' || a.t.k === 'any' || a.t.k === 'nil'))
      this.err(`builtin ${name} takes only array (got ${typeName(a.t)})`, n.args[0]!);
    const elem = a.t.k === 'array' ? a.t.elem : ANY;
    let fnName = 'null';
    let bodyT: T = ANY;
    const predNode = n.args[1];
    const extra = n.args[2] ? this.gen(n.args[2]) : null;
    if (predNode && name === 'any' && a.c.startsWith('F.File(') && a.t.k === 'array' && a.t.elem.k === 'string') {
      const fast = this.anyOverFile(a, predNode);
      if (fast !== null) return fast;
    }
    if (predNode) {
      const id = ++this.uid;
      let stable: string | null = null;
      if (a.c.startsWith('F.File(') && name !== 'reduce') {
        stable = `t${id}`;
        this.locals.push(stable);
        a.c = `(${stable} = ${a.c})`;
      }
      const ctx: ClosureCtx = {
        p: `p${id}`,
        i: `i${id}`,
        acc: name === 'reduce' ? `a${id}` : null,
        elem,
        accT: extra ? extra.t : ANY,
        stable,
      };
      this.closures.push(ctx);
      const body = this.gen(predNode.t === 'closure' ? predNode.body : predNode);
      this.closures.pop();
      bodyT = body.t;
      const boolPreds = [
        'all',
        'none',
        'any',
        'one',
        'filter',
        'find',
        'findIndex',
        'findLast',
        'findLastIndex',
        'count',
      ];
      let bc = body.c;
      if (boolPreds.includes(name)) {
        if (!(body.t.k === 'bool' || body.t.k === 'any'))
          this.err(`predicate should return boolean (got ${typeName(body.t)})`, predNode);
        if (body.t.k !== 'bool') bc = `rt.bool(${bc}, "predicate")`;
      }
      fnName = `c${id}`;
      this.hoisted.push(`const ${fnName} = (${ctx.p}, ${ctx.i}${ctx.acc ? ', ' + ctx.acc : ''}) => ${bc};`);
    }
    switch (name) {
      case 'all':
      case 'none':
      case 'any':
      case 'one':
        return { c: `rt.p_${name}(${a.c}, ${fnName})`, t: BOOL };
      case 'filter':
        return { c: `rt.p_filter(${a.c}, ${fnName})`, t: a.t.k === 'array' ? a.t : arr(ANY) };
      case 'map':
        return { c: `rt.p_map(${a.c}, ${fnName})`, t: arr(bodyT) };
      case 'find':
      case 'findLast':
        return { c: `rt.p_${name}(${a.c}, ${fnName})`, t: elem };
      case 'findIndex':
      case 'findLastIndex':
        return { c: `rt.p_${name}(${a.c}, ${fnName})`, t: INT };
      case 'count':
        return { c: `rt.p_count(${a.c}, ${fnName})`, t: INT };
      case 'sum': {
        const t = predNode ? bodyT : elem;
        return { c: `rt.p_sum(${a.c}, ${fnName})`, t: t.k === 'int' ? INT : t.k === 'any' ? ANY : FLOAT };
      }
      case 'groupBy':
        return { c: `rt.p_groupBy(${a.c}, ${fnName})`, t: map(a.t.k === 'array' ? a.t : arr(ANY)) };
      case 'sortBy':
        return {
          c: `rt.p_sortBy(${a.c}, ${fnName}${extra ? ', ' + extra.c : ''})`,
          t: a.t.k === 'array' ? a.t : arr(ANY),
        };
      case 'reduce':
        return { c: `rt.p_reduce(${a.c}, ${fnName}, ${extra ? 'true, ' + extra.c : 'false'})`, t: bodyT };
    }
    this.err(`unknown builtin ${name}`, n);
  }
}

const PARAM_NAMES: Record<string, string> = {
  s: 'string',
  i: 'int',
  f: 'float64',
  m: 'map[string]interface {}',
  l: '[]interface {}',
  a: 'interface {}',
};
function assignable(t: T, want: string): boolean {
  if (t.k === 'any' || want === 'a') return true;
  switch (want) {
    case 's':
      return t.k === 'string';
    case 'i':
      return t.k === 'int';
    case 'f':
      return t.k === 'float' || t.k === 'int';
    case 'm':
      return t.k === 'map' || t.k === 'nil';
    case 'l':
      return t.k === 'array' || t.k === 'nil';
  }
  return true;
}

/** operators of anyOverFile and their rt.anyStrOp codes */
const ANY_OPS: Record<string, number> = { '==': 0, contains: 1, startsWith: 2, endsWith: 3 };
const INVARIANT_CALLS = new Set([
  'Upper',
  'Lower',
  'upper',
  'lower',
  'ToUpper',
  'ToLower',
  'PathUnescape',
  'QueryUnescape',
  'TrimSpace',
]);

/** `#` (the parser names it '') */
function isElement(n: Node): boolean {
  return n.t === 'ptr' && (n.name === '' || n.name === '#');
}
function isElementRef(n: Node): boolean {
  return elementRef(n) !== null;
}
/** `#` -> 'id', `Upper(#)` -> 'upper', `Lower(#)` -> 'lower', else null */
function elementRef(n: Node): 'id' | 'upper' | 'lower' | null {
  if (isElement(n)) return 'id';
  if (n.t === 'call' && n.args.length === 1 && isElement(n.args[0]!)) {
    if (n.name === 'Upper' || n.name === 'upper') return 'upper';
    if (n.name === 'Lower' || n.name === 'lower') return 'lower';
  }
  return null;
}
/** a field path (`evt.Parsed.x`, `evt.Meta["y"]`) or a pure string helper of one: no element, no effect */
function isInvariantString(n: Node): boolean {
  switch (n.t) {
    case 'ident':
      return true;
    case 'lit':
      return typeof n.v === 'string';
    case 'member':
      return !n.opt && isInvariantString(n.x) && (n.dot || (n.prop.t === 'lit' && typeof n.prop.v === 'string'));
    case 'call':
      return INVARIANT_CALLS.has(n.name) && n.args.length === 1 && isInvariantString(n.args[0]!);
    default:
      return false;
  }
}

function wrap(c: string): string {
  return /^[A-Za-z0-9_$.]+$/.test(c) || /^\(.*\)$/.test(c) ? c : `(${c})`;
}
function isStructNum(t: T): boolean {
  return t === WEEKDAY || (t.k === 'struct' && t.name === 'time.Month');
}
function sameType(a: T, b: T): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'array' && b.k === 'array') return sameType(a.elem, b.elem);
  if (a.k === 'map' && b.k === 'map') return sameType(a.elem, b.elem);
  if (a.k === 'struct' && b.k === 'struct') return a.name === b.name;
  return true;
}

/**
 * Static type of a value that is one of two branches (`c ? a : b`, `a ?? b`). nil joins any type
 * (Go: `x != nil ? int(x) : nil` is an int or nothing, and a nil static value is skipped anyway),
 * so `int(...)` keeps its int kind and prints "200", not the float64 "200.000000".
 */
function unifyTypes(a: T, b: T): T {
  if (sameType(a, b)) return a;
  if (a.k === 'nil') return b;
  if (b.k === 'nil') return a;
  return ANY;
}

export { ANY, NIL };
