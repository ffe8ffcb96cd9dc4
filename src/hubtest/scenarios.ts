// Scenario side of a replay: loads scenario files through src/buckets and pours events one at a time.
// Owns: the small interface the runner uses.

import type { Event } from '../core/event.js';
import { BucketEngine, loadScenarios } from '../buckets/index.js';

export interface ScenarioDriver {
  /** pour one parsed event; returns the overflow events it produced (in emission order) */
  pour(evt: Event): Event[];
  /** end of input: overflows still pending (usually none in time-machine mode) */
  flush(): Event[];
}

export interface ScenarioLoadOptions {
  dataDir: string;
  hubDir: string;
  patternsDir: string;
}

/** Loads the scenarios (time-machine mode comes from each event's ExpectMode); throws on load errors. */
export async function loadScenarioDriver(files: string[], opts: ScenarioLoadOptions): Promise<ScenarioDriver> {
  const engine = new BucketEngine(loadScenarios(files, { dataDir: opts.dataDir }));
  return {
    pour: (evt) => engine.pour(evt),
    flush: () => engine.flush(),
  };
}
