// Scenario side of a replay: loads scenario files through src/buckets (when that module exists) and pours
// events one at a time. Owns: the guarded dynamic import and the small interface the runner uses, so the
// parse part of hubtest works without the scenario engine.

import type { Event } from '../core/event.js';

export interface ScenarioDriver {
  /** pour one parsed event; returns the overflow events it produced (in emission order) */
  pour(evt: Event): Event[];
  /** end of input: overflows still pending (usually none in time-machine mode) */
  flush(): Event[];
}

export interface ScenarioLoadOptions { dataDir: string; hubDir: string; patternsDir: string }

interface BucketsModule {
  loadScenarios(files: string[], opts: Record<string, unknown>): unknown;
  BucketEngine: new (set: unknown, opts: Record<string, unknown>) => { pour(evt: Event): Event[]; flush?(): Event[] | void };
}

/** Returns null when src/buckets is not available yet; throws on scenario load errors. */
export async function loadScenarioDriver(files: string[], opts: ScenarioLoadOptions): Promise<ScenarioDriver | null> {
  let mod: BucketsModule;
  try {
    const spec = '../buckets/index.js';
    mod = (await import(spec)) as BucketsModule;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
  if (typeof mod.loadScenarios !== 'function' || typeof mod.BucketEngine !== 'function') return null;
  const set = await mod.loadScenarios(files, { dataDir: opts.dataDir, timeMachine: true, orderEvent: true });
  const engine = new mod.BucketEngine(set, { timeMachine: true, orderEvent: true });
  return {
    pour: (evt) => engine.pour(evt) ?? [],
    flush: () => (engine.flush ? engine.flush() ?? [] : []),
  };
}
