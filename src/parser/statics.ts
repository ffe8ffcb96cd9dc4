// Parser statics (parsing.md §6): compiled `statics:` entries of nodes and groks, and their application.
// Owns: value computation (literal `value` wins, else expression result converted by expr's goValueToString:
// nil/map/array skipped, unsupported types are a node error), the empty-value skip (except method ParseDate),
// destination precedence method > parsed > meta > enriched > target, and `target:` path walking over the
// Event's Go field names (`evt.` prefix stripped, first map assigned, final field must be a string).

import { Event, isGoMapObject } from '../core/event.js';
import { compileExpr, goValueToString, getEnricher, type CompiledExpr, type EnrichContext } from './deps.js';
import { ParserLoadError, type StaticConfig } from './config.js';
import { errorMessage, PicketError } from '../core/errors.js';

export const DEST_METHOD = 0;
export const DEST_PARSED = 1;
export const DEST_META = 2;
export const DEST_ENRICHED = 3;
export const DEST_TARGET = 4;
export const DEST_NONE = 5;

type EnrichFn = (input: string, evt: Event, ctx: EnrichContext) => Record<string, string> | null | Error;

export class CompiledStatic {
  readonly dest: number;
  /** map key, method name, or the target text */
  readonly key: string;
  readonly targetPath: string[];
  readonly value: string;
  readonly expr: CompiledExpr | null;
  readonly enricher: EnrichFn | null;
  readonly isParseDate: boolean;
  readonly where: string;

  constructor(cfg: StaticConfig, where: string, warnings: string[]) {
    this.where = where;
    if (cfg.method !== '') {
      this.dest = DEST_METHOD;
      this.key = cfg.method;
    } else if (cfg.parsed !== '') {
      this.dest = DEST_PARSED;
      this.key = cfg.parsed;
    } else if (cfg.meta !== '') {
      this.dest = DEST_META;
      this.key = cfg.meta;
    } else if (cfg.enriched !== '') {
      this.dest = DEST_ENRICHED;
      this.key = cfg.enriched;
    } else if (cfg.target !== '') {
      this.dest = DEST_TARGET;
      this.key = cfg.target;
    } else {
      this.dest = DEST_NONE;
      this.key = '';
    }
    const t = cfg.target.startsWith('evt.') ? cfg.target.slice(4) : cfg.target;
    this.targetPath = this.dest === DEST_TARGET ? t.split('.') : [];
    this.value = cfg.value;
    this.expr = null;
    if (cfg.expression !== '') {
      try {
        this.expr = compileExpr(cfg.expression, { env: 'evt', where });
      } catch (e) {
        throw new ParserLoadError(`${where}: field "expression": ${errorMessage(e)}`);
      }
    }
    this.isParseDate = this.dest === DEST_METHOD && cfg.method === 'ParseDate';
    this.enricher = null;
    if (this.dest === DEST_METHOD) {
      const fn = getEnricher(cfg.method) as EnrichFn | null | undefined;
      if (fn) this.enricher = fn;
      else warnings.push(`${where}: the method '${cfg.method}' doesn't exist or the plugin has not been initialized`);
    }
  }
}

/** Where non-fatal runtime problems go (a logger can be plugged in; default: dropped). */
export interface StaticsSink {
  warn(msg: string): void;
}

/** A statics entry that cannot be applied (PARSER_STATICS). */
export class StaticsError extends PicketError {
  constructor(message: string) {
    super('PARSER_STATICS', message);
  }
}

/**
 * Apply a list of statics to the event. Throws StaticsError when an expression returns an unsupported type
 * (the node fails with an error and the event is discarded).
 */
export function applyStatics(
  list: CompiledStatic[],
  evt: Event,
  env: { evt: Event },
  ectx: EnrichContext,
  sink: StaticsSink | null,
): void {
  for (let i = 0; i < list.length; i++) {
    const st = list[i]!;
    let value = '';
    if (st.value !== '') {
      value = st.value;
    } else if (st.expr !== null) {
      let out: unknown;
      try {
        out = st.expr.run(env);
      } catch (e) {
        if (sink) sink.warn(`${st.where}: failed to run expression: ${errorMessage(e)}`);
        continue;
      }
      if (typeof out === 'string') value = out;
      else {
        const conv = goValueToString(out, st.expr.kind);
        if (conv === null) continue;
        if (conv instanceof Error)
          throw new StaticsError(`${st.where}: unexpected return type for expression: ${conv.message}`);
        value = conv;
      }
    }
    if (value === '' && !st.isParseDate) continue;
    switch (st.dest) {
      case DEST_METHOD: {
        if (st.enricher === null) {
          if (sink) sink.warn(`${st.where}: unknown method '${st.key}'`);
          break;
        }
        const ret = st.enricher(value, evt, ectx);
        if (ret === null) break;
        if (ret instanceof Error) {
          if (sink) sink.warn(`${st.where}: method '${st.key}' returned an error: ${ret.message}`);
          break;
        }
        for (const k in ret) evt.Enriched[k] = ret[k]!;
        break;
      }
      case DEST_PARSED:
        evt.Parsed[st.key] = value;
        break;
      case DEST_META:
        evt.Meta[st.key] = value;
        break;
      case DEST_ENRICHED:
        evt.Enriched[st.key] = value;
        break;
      case DEST_TARGET: {
        const err = setTarget(evt, st.targetPath, value);
        if (err !== null && sink) sink.warn(`${st.where}: target '${st.key}': ${err}`);
        break;
      }
      default:
        if (sink) sink.warn(`${st.where}: unable to process static: unknown target`);
    }
  }
}

/**
 * Walk Go field names through the event and assign `value`. Returns null on success, an error text otherwise.
 * Maps (Go maps, isGoMapObject: Parsed, Meta, Enriched, Unmarshaled, Line.Labels ...) take the next segment as key.
 */
export function setTarget(evt: Event, path: string[], value: string): string | null {
  let cur: unknown = evt;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (cur === null || typeof cur !== 'object')
      return `'${path.join('.')}' is not a valid target: '${seg}' is not reachable`;
    const obj = cur as Record<string, unknown>;
    if (isGoMapObject(obj)) {
      obj[seg] = value;
      return null;
    }
    if (!Object.prototype.hasOwnProperty.call(obj, seg) || seg === 'constructor') {
      return `'${path.join('.')}' is not a valid target because '${seg}' is not valid`;
    }
    const next = obj[seg];
    if (i === path.length - 1) {
      if (typeof next !== 'string') return `'${path.join('.')}' is not a string field`;
      obj[seg] = value;
      return null;
    }
    if (next === null || next === undefined) return `'${path.join('.')}': '${seg}' is nil`;
    cur = next;
  }
  return `'${path.join('.')}' is not a valid target`;
}
