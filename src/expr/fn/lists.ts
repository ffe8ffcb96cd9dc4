// CrowdSec list helpers (Get, KeyExists, Flatten, Distinct, FlattenDistinct) and the flatten/distinct they share with
// the builtins.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { eq } from '../runtime.js';
import { ANY, BOOL, STRING, arr } from '../schema.js';
import { hasOwn, INF, n, a, type FnDef } from './args.js';

export function flattenDeep(v: unknown[], out: unknown[]): unknown[] {
  for (const x of v) {
    if (Array.isArray(x)) flattenDeep(x, out);
    else out.push(x);
  }
  return out;
}

export function distinct(v: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of v) if (!out.some((y) => eq(x, y))) out.push(x);
  return out;
}

export const LIST_FUNCTIONS: Record<string, FnDef> = {
  Get: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, i: unknown) => {
      const x = a(v, 'Get');
      const k = n(i, 'Get');
      return k >= 0 && k < x.length ? x[k] : '';
    },
  },
  KeyExists: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (k: unknown, m: unknown) => m !== null && typeof m === 'object' && typeof k === 'string' && hasOwn.call(m, k),
  },
  Flatten: { min: 0, max: INF, ret: arr(ANY), fn: (...v: unknown[]) => flattenDeep(v, []) },
  Distinct: {
    min: 0,
    max: INF,
    ret: arr(ANY),
    fn: (...v: unknown[]) => distinct(v.length === 1 && Array.isArray(v[0]) ? v[0] : v),
  },
  FlattenDistinct: { min: 0, max: INF, ret: arr(ANY), fn: (...v: unknown[]) => distinct(flattenDeep(v, [])) },
};
