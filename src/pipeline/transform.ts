// The acquisition key `transform` (CrowdSec's pkg/acquisition transform()): an expression on `evt` (a fresh
// event whose Line holds the raw line, its source, module and labels) run on every line a source reads before
// it is parsed. A string result replaces the line; a list gives one line per string item (other items are
// skipped); a runtime error, nil or any other type keeps the line as it is (CrowdSec logs and sends it as-is).
// Owns: compiling it at start (errors name the acquisition file, line and document) and applying it.

import { Event, newStrMap, type StrMap } from '../core/event.js';
import { compileExpr, type CompiledExpr } from '../expr/index.js';
import { errorMessage, PicketError } from '../core/errors.js';

/** A transform expression that does not compile (ACQUIS_BAD_TRANSFORM): names file, line, document. */
export class TransformError extends PicketError {
  constructor(message: string) {
    super('ACQUIS_BAD_TRANSFORM', message);
  }
}

export interface LineTransform {
  /** the lines to parse instead of `lines` read from `src` */
  apply(lines: readonly string[], src: string, module: string, labels: Record<string, string>): string[];
  /** lines whose expression failed at run time (kept as they were) */
  readonly errors: number;
}

export function compileTransform(expr: string, where: string): LineTransform {
  let c: CompiledExpr;
  try {
    c = compileExpr(expr, { env: 'evt', where });
  } catch (e) {
    throw new TransformError(`${where}: ${errorMessage(e)}`);
  }
  let errors = 0;
  let labelsOf: { from: Record<string, string>; map: StrMap } | null = null;
  return {
    get errors() {
      return errors;
    },
    apply(lines, src, module, labels) {
      if (labelsOf?.from !== labels) labelsOf = { from: labels, map: Object.assign(newStrMap(), labels) };
      const out: string[] = [];
      for (const raw of lines) {
        const evt = new Event({ Raw: raw, Src: src, Module: module, Labels: labelsOf.map });
        let v: unknown;
        try {
          v = c.run({ evt });
        } catch {
          errors++;
          out.push(raw);
          continue;
        }
        if (typeof v === 'string') out.push(v);
        else if (Array.isArray(v)) {
          for (const x of v as unknown[]) if (typeof x === 'string') out.push(x);
        } else out.push(raw);
      }
      return out;
    },
  };
}
