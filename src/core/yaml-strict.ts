// Strict YAML decoding shared by every config and content loader (acquisition, parsers, scenarios, config,
// profiles, simulation). Owns: the scalar readings Go's YAML decoders apply (yaml.v2 booleans and integers,
// null scalars), the typed field readers over decoded values (string / integer / number / boolean / list,
// absent = zero value, wrong type = the loader's error), unknown-key detection, key names and line numbers
// of YAML nodes. Each loader keeps its own error text (file, document, line, field) through a `fail` callback.

import YAML from 'yaml';

/** A scalar as text the way the loaders always took it: strings as they are, other values through String(). */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** A decoded scalar as text (strings as they are, numbers and booleans printed), else undefined. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const GO_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const GO_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** The text of a scalar decoded into a Go bool by yaml.v2 (YAML 1.1 spellings), else undefined. */
export function goBool(s: string): boolean | undefined {
  if (GO_TRUE.has(s)) return true;
  if (GO_FALSE.has(s)) return false;
  return undefined;
}

/** The text of a scalar decoded into a Go int by yaml.v2 (decimal with sign, or 0x hex), else undefined. */
export function goInt(s: string): number | undefined {
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s, 16);
  return undefined;
}

/** A decoded value read as a YAML 1.1 boolean, any letter case (true/yes/y/on, false/no/n/off), else null. */
export function yamlBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  switch (v.toLowerCase()) {
    case 'true':
    case 'yes':
    case 'y':
    case 'on':
      return true;
    case 'false':
    case 'no':
    case 'n':
    case 'off':
      return false;
    default:
      return null;
  }
}

/** A decoded value in words, for "expected ..., got ..." messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A decoded mapping (not null, not a list). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first key of `m` not in `allowed`, or undefined. */
export function unknownKey(m: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  for (const k of Object.keys(m)) if (!allowed.has(k)) return k;
  return undefined;
}

/** What a field should have been, as the readers report it. */
export type Expected = 'a string' | 'an integer' | 'a number' | 'a boolean' | 'a list';

/**
 * Typed reads of the fields of one decoded mapping: an absent or null field gives the zero value ('', 0,
 * false, []); a field of another type calls `fail(key, expected)`, which throws the loader's error.
 * Strings also take numbers and booleans (printed); integers and numbers take numbers only; booleans take
 * booleans only (YAML 1.2, as the yaml package decodes them; see yamlBool for the YAML 1.1 spellings).
 */
export class FieldReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly fail: (key: string, expected: Expected) => never,
  ) {}

  text(key: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) return '';
    return scalarText(v) ?? this.fail(key, 'a string');
  }

  int(key: string): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return 0;
    return typeof v === 'number' && Number.isInteger(v) ? v : this.fail(key, 'an integer');
  }

  num(key: string): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return 0;
    return typeof v === 'number' ? v : this.fail(key, 'a number');
  }

  bool(key: string): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return false;
    return typeof v === 'boolean' ? v : this.fail(key, 'a boolean');
  }
}

/** The name of a YAML map key node. */
export function keyName(k: unknown): string {
  return YAML.isScalar(k) ? String(k.value) : String(k);
}

/** The 1-based line where a node (or a pair's key) starts, 0 when unknown. */
export function nodeLine(lc: YAML.LineCounter, n: unknown): number {
  const range = YAML.isNode(n) ? n.range : YAML.isPair(n) && YAML.isNode(n.key) ? n.key.range : undefined;
  return range ? lc.linePos(range[0]).line : 0;
}
