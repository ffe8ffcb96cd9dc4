// How Go values look to the template engine in JS: GoStruct (a struct with Go-named fields and methods;
// `toJSON` gives its encoding/json form), maps (plain / null-prototype objects), slices (arrays), nil
// (null), a missing map entry (undefined, printed `<no value>`). Owns truth (Go `if`), printing (fmt %v via
// src/expr/sprintf.ts), Go type names for messages and json.Marshal (HTML-escaped, as Go's encoder does).

import { formatValue } from '../../expr/sprintf.js';
import { GoTime } from '../../core/gotime.js';
import { isMapObject } from '../../core/event.js';

/** Base of values the templates see as Go structs: fields are own properties, methods are prototype functions. */
export abstract class GoStruct {
  /** Go type name for messages, e.g. `*models.Alert` */
  abstract goType(): string;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof GoStruct) &&
    !(v instanceof GoTime) &&
    !Buffer.isBuffer(v) &&
    isMapObject(v)
  );
}

/** Go's `if` / `with` / `not` truth. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v !== '';
    case 'function':
      return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function numKind(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? 'int' : undefined;
}

function structText(v: GoStruct, top: boolean): string {
  const o = v as unknown as Record<string, unknown>;
  const parts = Object.keys(o).map((k) => printValue(o[k], false));
  return (top ? '' : '&') + '{' + parts.join(' ') + '}';
}

/** fmt.Sprint of one value as a template action prints it. */
export function printValue(v: unknown, top = true): string {
  if (v === undefined) return '<no value>';
  if (v instanceof GoStruct) return structText(v, top);
  if (Array.isArray(v)) return '[' + v.map((x) => printValue(x, false)).join(' ') + ']';
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return 'map[' + keys.map((k) => `${k}:${printValue(v[k], false)}`).join(' ') + ']';
  }
  return formatValue(v, numKind(v));
}

/** Go type of a value for messages (`string`, `int`, `[]interface {}`, `*models.Alert` ...). */
export function goTypeOf(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (v instanceof GoStruct) return v.goType();
  if (v instanceof GoTime) return 'time.Time';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'function':
      return 'func';
  }
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

const HTML_ESC: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Go json.Marshal: JSON.stringify (GoStruct.toJSON gives the Go encoding) with Go's HTML-safe escapes. */
export function goJson(v: unknown, indent?: string): string {
  const text = JSON.stringify(v === undefined ? null : v, null, indent);
  return (text ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESC[c]!);
}

/** fmt.Sprint(args...): spaces only between operands when neither is a string. */
export function goSprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += a === undefined ? '<nil>' : printValue(a);
  });
  return out;
}

/** fmt.Sprintln(args...): always spaces, newline at the end. */
export function goSprintln(args: unknown[]): string {
  return args.map((a) => (a === undefined ? '<nil>' : printValue(a))).join(' ') + '\n';
}
