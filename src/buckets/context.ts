// Alert context as CrowdSec 1.5+ builds it (pkg/alertcontext): a context file in console/context.yaml's format
// (`key: [expr, ...]`) plus the `context:` of the hub's contexts/ items enabled under config_dir/contexts, merged
// (hub items first, then the file; a value already listed under a key is not added twice). Each expression runs
// on every event of the overflow; the distinct non-empty results of a key become one alert meta item whose value
// is the JSON array of them (Go's json.Marshal: <, >, & escaped), shortened as CrowdSec's TruncateContext does it
// (last values dropped, a lone value cut in half + "...") to at most console_context_value_length bytes (4000).
// Owns: reading and merging the files (errors name file, line, key), compiling (errors name file, line, key,
// expression), and the meta items. The spec is plain data (it crosses to worker threads); compiled per thread.

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { readConfigText } from '../core/config-file.js';
import { keyName, nodeLine } from '../core/yaml-strict.js';
import { errorMessage, PicketError } from '../core/errors.js';
import type { Event, MetaItem } from '../core/event.js';
import { compileExpr, type CompiledExpr } from '../expr/index.js';

/** CrowdSec's MaxContextValueLen: the default and the ceiling of console_context_value_length */
export const MAX_CONTEXT_VALUE_LEN = 4000;

/** One expression of a key, with where it was written (file:line). */
export interface ContextExprSpec {
  expr: string;
  where: string;
}

/** The merged context, as plain data. */
export interface ContextSpec {
  keys: Array<{ key: string; exprs: ContextExprSpec[] }>;
  /** bytes of one meta value (0 or absent: 4000; capped at 4000) */
  valueLength?: number;
}

/** key -> compiled expressions, in the spec's order */
export interface AlertContext {
  keys: Array<{ key: string; exprs: CompiledExpr[] }>;
  valueLength: number;
}

/** A context file or hub item that cannot be used (CONTEXT_BAD_FILE): names the file, the line and the key. */
export class ContextConfigError extends PicketError {
  constructor(message: string) {
    super('CONTEXT_BAD_FILE', message);
  }
}

type Entries = Map<string, ContextExprSpec[]>;

function merge(into: Entries, key: string, e: ContextExprSpec): void {
  const list = into.get(key) ?? [];
  if (!list.some((x) => x.expr === e.expr)) list.push(e);
  into.set(key, list);
}

/** the `key: [expr...]` mapping `m` of `file` merged into `into` */
function mergeMapping(m: unknown, file: string, lc: YAML.LineCounter, into: Entries, where: string): void {
  const fail = (n: unknown, msg: string): never => {
    throw new ContextConfigError(`${file}:${nodeLine(lc, n)}: ${msg}`);
  };
  if (m === null || m === undefined || (YAML.isScalar(m) && m.value === null)) return;
  if (!YAML.isMap(m)) return fail(m, `${where}expected a mapping of keys to lists of expressions`);
  for (const p of m.items) {
    const key = keyName(p.key);
    if (key === '') fail(p.key, `${where}empty key`);
    const v = p.value;
    if (v === null || (YAML.isScalar(v) && v.value === null)) continue;
    const items = YAML.isSeq(v) ? v.items : [v];
    for (const it of items) {
      if (!YAML.isScalar(it) || typeof it.value !== 'string' || it.value.trim() === '')
        fail(it ?? p.key, `${where}${key}: expected a list of expressions (strings)`);
      merge(into, key, { expr: (it as YAML.Scalar<string>).value, where: `${file}:${nodeLine(lc, it)}` });
    }
  }
}

function parseYaml(file: string): { doc: YAML.Document.Parsed; lc: YAML.LineCounter } {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (e) {
    throw new ContextConfigError(`${file}: ${errorMessage(e)}`);
  }
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new ContextConfigError(`${file}:${e.linePos?.[0].line ?? 0}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  return { doc, lc };
}

/** The enabled hub contexts items: config_dir/contexts/**.yaml (links or files), in path order. */
export function hubContextFiles(configDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch {
        continue; // a dangling link
      }
      if (st.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(n)) out.push(p);
    }
  };
  walk(path.join(configDir, 'contexts'));
  return out;
}

export interface ContextSources {
  /** the context file (console_context_path) */
  file?: string;
  /** true: a missing `file` is no error (CrowdSec's default config_dir/console/context.yaml) */
  fileOptional?: boolean;
  /** config_dir whose contexts/ holds the enabled hub items */
  configDir?: string;
  valueLength?: number;
}

/** Reads the hub items and the context file (LoadConsoleContext); null when there is no key at all. */
export function loadContextSpec(src: ContextSources): ContextSpec | null {
  const entries: Entries = new Map();
  for (const f of src.configDir !== undefined ? hubContextFiles(src.configDir) : []) {
    const { doc, lc } = parseYaml(f);
    const top = doc.contents;
    if (top === null || (YAML.isScalar(top) && top.value === null)) continue;
    if (!YAML.isMap(top)) throw new ContextConfigError(`${f}:${nodeLine(lc, top)}: expected a mapping`);
    mergeMapping(top.get('context', true), f, lc, entries, 'context: ');
  }
  if (src.file !== undefined && !(src.fileOptional === true && !fs.existsSync(src.file))) {
    const { doc, lc } = parseYaml(src.file);
    mergeMapping(doc.contents, src.file, lc, entries, '');
  }
  if (entries.size === 0) return null;
  const vl = src.valueLength;
  if (vl !== undefined && (!Number.isInteger(vl) || vl < 0))
    throw new ContextConfigError(`console_context_value_length: expected a whole number of bytes, got ${vl}`);
  return {
    keys: [...entries].map(([key, exprs]) => ({ key, exprs })),
    ...(vl !== undefined ? { valueLength: vl } : {}),
  };
}

/** Compiles every expression; an error names the file, the line, the key and the expression. */
export function compileContext(spec: ContextSpec): AlertContext {
  const vl = spec.valueLength ?? 0;
  return {
    valueLength: vl === 0 || vl > MAX_CONTEXT_VALUE_LEN ? MAX_CONTEXT_VALUE_LEN : vl,
    keys: spec.keys.map(({ key, exprs }) => ({
      key,
      exprs: exprs.map((e) => {
        try {
          return compileExpr(e.expr, { env: 'evt', where: `${e.where}: context key ${key}` });
        } catch (err) {
          // the expression's error already names e.where and the key
          throw new ContextConfigError(errorMessage(err));
        }
      }),
    })),
  };
}

/** Go's json.Marshal of a []string: HTML characters and the JS line separators escaped. */
export function goJsonStrings(values: readonly string[]): string {
  return JSON.stringify(values).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** CrowdSec's TruncateContext: drop the last values, then cut a lone value in half (bytes) + "...". */
export function truncateContext(values: readonly string[], maxLen: number): string {
  let vals = [...values];
  let s = goJsonStrings(vals);
  while (Buffer.byteLength(s) > maxLen) {
    if (vals.length === 1) {
      const b = Buffer.from(vals[0]!);
      vals = [b.subarray(0, Math.floor(b.length / 2)).toString('utf8') + '...'];
    } else vals = vals.slice(0, -1);
    s = goJsonStrings(vals);
  }
  return s;
}

/** a context expression's result as CrowdSec's EvalAlertContextRules keeps it (strings, ints, %v of others) */
function addValue(v: unknown, kind: string, into: string[]): void {
  const add = (s: string): void => {
    if (s !== '' && !into.includes(s)) into.push(s);
  };
  if (v === null || v === undefined) return;
  if (typeof v === 'string') add(v);
  else if (typeof v === 'number') add(kind === 'int' ? String(Math.trunc(v)) : String(v));
  else if (typeof v === 'boolean') add(String(v));
  else if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string' || typeof x === 'number') add(String(x));
  }
}

/** The alert's meta items: one per key with at least one value, in the context's order. */
export function contextMeta(ctx: AlertContext | undefined, queue: readonly Event[]): MetaItem[] {
  if (!ctx || ctx.keys.length === 0) return [];
  const out: MetaItem[] = [];
  for (const { key, exprs } of ctx.keys) {
    const vals: string[] = [];
    for (const e of queue) {
      for (const x of exprs) {
        let v: unknown;
        try {
          v = x.run({ evt: e });
        } catch {
          continue; // CrowdSec logs it and goes on (counted in the expression runtime errors)
        }
        addValue(v, x.kind, vals);
      }
    }
    if (vals.length > 0) out.push({ Key: key, Value: truncateContext(vals, ctx.valueLength) });
  }
  return out;
}
