// Argument checks, number conversions and return-type helpers shared by the expression function tables.
// Owns: the helpers below.

import { isMapObject } from '../../core/event.js';
import { RtError, typeOfValue } from '../runtime.js';
import { ANY, FLOAT, INT, type T } from '../schema.js';

export interface FnDef {
  min: number;
  max: number;
  ret: T | ((args: T[]) => T);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fn: (...a: any[]) => unknown;
  /** the compiler passes the static kinds of the arguments as first parameter */
  kinds?: boolean;
}

export const hasOwn = Object.prototype.hasOwnProperty;

export const INF = Infinity;

export function s(v: unknown, fn: string, i = 0): string {
  if (typeof v === 'string') return v;
  throw new RtError(`${fn}: argument ${i + 1} must be a string, got ${typeOfValue(v)}`);
}

export function n(v: unknown, fn: string): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'number')
    return (v as { valueOf(): number }).valueOf();
  throw new RtError(`${fn}: argument must be a number, got ${typeOfValue(v)}`);
}

export function a(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  throw new RtError(`${fn}: argument must be an array, got ${typeOfValue(v)}`);
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && isMapObject(v);
}

export function elemOf(t: T | undefined): T {
  return t && t.k === 'array' ? t.elem : ANY;
}

export function sameAs(i: number) {
  return (args: T[]): T => args[i] ?? ANY;
}

export function numRet(args: T[]): T {
  return args.length > 0 && args.every((t) => t.k === 'int') ? INT : args.some((t) => t.k === 'any') ? ANY : FLOAT;
}

export function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (
      t === '' ||
      t !== v ||
      !/^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI]nf(?:inity)?|NaN)$/.test(v)
    )
      throw new RtError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    if (/inf/i.test(v)) return v[0] === '-' ? -Infinity : Infinity;
    return Number(v);
  }
  throw new RtError(`invalid operation: float(${typeOfValue(v)})`);
}
