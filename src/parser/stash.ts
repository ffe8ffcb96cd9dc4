// Parser stash (parsing.md §9): compiled `stash:` items of a node and their execution.
// Owns: compiling key/value expressions, ttl/size/strategy validation, configuring the named cache at load
// time, and storing `key -> value` when both expressions return strings (anything else skips the item).

import { Event } from '../core/event.js';
import { parseGoDuration } from '../core/gotime.js';
import { compileExpr, configureStash, stashSet, type CompiledExpr } from './deps.js';
import { ParserLoadError, type StashConfig } from './config.js';
import { errorMessage } from '../core/errors.js';

export class CompiledStash {
  readonly name: string;
  readonly key: CompiledExpr;
  readonly value: CompiledExpr;
  readonly ttlNs: number;

  constructor(cfg: StashConfig, where: string) {
    this.name = cfg.name;
    const compile = (src: string, field: string): CompiledExpr => {
      if (src === '') throw new ParserLoadError(`${where}: field "${field}": expression is required`);
      try {
        return compileExpr(src, { env: 'evt', where: `${where} ${field}` });
      } catch (e) {
        throw new ParserLoadError(`${where}: field "${field}": ${errorMessage(e)}`);
      }
    };
    this.value = compile(cfg.value, 'stash.value');
    this.key = compile(cfg.key, 'stash.key');
    try {
      this.ttlNs = parseGoDuration(cfg.ttl);
    } catch (e) {
      throw new ParserLoadError(`${where}: field "stash.ttl": while parsing stash ttl: ${errorMessage(e)}`);
    }
    const strategy = cfg.strategy === '' ? 'LRU' : cfg.strategy;
    if (strategy !== 'LRU' && strategy !== 'LFU' && strategy !== 'ARC') {
      throw new ParserLoadError(`${where}: field "stash.strategy": unknown strategy '${cfg.strategy}' (LRU, LFU, ARC)`);
    }
    configureStash(cfg.name, { ttlNs: this.ttlNs, size: cfg.size > 0 ? cfg.size : 100, strategy });
  }

  /** Run the item; returns false when it was skipped (non-string value or key, or a runtime error). */
  run(env: { evt: Event }): boolean {
    let v: unknown;
    let k: unknown;
    try {
      v = this.value.run(env);
    } catch {
      return false;
    }
    if (typeof v !== 'string') return false;
    try {
      k = this.key.run(env);
    } catch {
      return false;
    }
    if (typeof k !== 'string') return false;
    stashSet(this.name, k, v, this.ttlNs);
    return true;
  }
}
