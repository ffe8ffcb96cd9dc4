// The acquisition keys the agent applies around a source (src/acquisition/config.ts decodes them): `transform`
// (compiled at start, src/pipeline/transform.ts, then run on every line the source reads) and
// `use_time_machine` (the source's lines are poured with their own timestamps). Owns: compiling the transforms
// of all sources (a CliError naming the file, line and document) and the per-source SourceContext.

import type { AcquisitionSource } from '../acquisition/config.js';
import type { SourceContext } from '../acquisition/source.js';
import { compileTransform, type LineTransform } from '../pipeline/transform.js';
import { CliError } from './command.js';
import { errorMessage } from '../core/errors.js';
import { LevelLog } from '../core/log-level.js';

/** every source's compiled transform; fails at start on the first that does not compile */
export function compileTransforms(configs: readonly AcquisitionSource[]): Map<AcquisitionSource, LineTransform> {
  const out = new Map<AcquisitionSource, LineTransform>();
  for (const c of configs) {
    if (c.transform === undefined) continue;
    try {
      out.set(c, compileTransform(c.transform.expr, c.transform.where));
    } catch (e) {
      throw new CliError(errorMessage(e), 1);
    }
  }
  return out;
}

/** `ctx` for one source: its lines transformed, flagged time machine with use_time_machine, its own lines
 *  named by `name` and filtered by its `log_level` */
export function sourceContext(ctx: SourceContext, cfg: AcquisitionSource, t?: LineTransform): SourceContext {
  const logged = sourceLogs(ctx, cfg);
  if (t === undefined && cfg.useTimeMachine !== true) return logged;
  const tm = cfg.useTimeMachine === true;
  return {
    ...logged,
    push: (lines, meta) => {
      const out = t ? t.apply(lines, meta.src, meta.module, meta.labels) : lines;
      if (out.length === 0) return;
      return logged.push(out, tm ? { ...meta, timeMachine: true } : meta);
    },
  };
}

/** `name` prefixes the source's lines; `log_level` warn or error drops its informational lines (files
 *  appearing, rotated, truncated; failures are always said), trace adds every line it reads */
function sourceLogs(ctx: SourceContext, cfg: AcquisitionSource): SourceContext {
  if (cfg.name === undefined && cfg.logLevel === undefined) return ctx;
  const tag = cfg.name === undefined ? '' : `[${cfg.name}] `;
  const log = (m: string): void => ctx.log(tag + m);
  const level = new LevelLog(cfg.logLevel ?? 'info', (m) => (ctx.info ?? ctx.log)(tag + m));
  const push: SourceContext['push'] =
    cfg.logLevel === 'trace'
      ? (lines, meta) => {
          for (const l of lines) ctx.log(`${tag}line from ${meta.module}:${meta.src}: ${l}`);
          return ctx.push(lines, meta);
        }
      : ctx.push;
  return { ...ctx, push, log, info: level.info };
}
