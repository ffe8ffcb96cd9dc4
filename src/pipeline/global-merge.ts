// Scenarios that are not per source address, in the worker pool. Lines are sharded by their first address,
// so a scenario whose buckets gather several addresses (no groupby: http-open-proxy's one trigger bucket with
// a 2 m blackhole; groupby a user name, a pid...) would see only its shard's lines, once per shard: more
// alerts with more workers. Such "global" scenarios run once, on the main thread, fed in the original line
// order: workers send back the events that pass a global scenario's filter, tagged with their line number,
// and GlobalMerge pours them once every shard has processed the lines before them. Per-source scenarios stay
// in the shards. Owns: the per-source test, the shards' agent options (shardOptions), the ordered merge.
// Result: the same alerts with 0, 1 or N workers (test/pipeline/replay.test.ts).

import type { Event } from '../core/event.js';
import type { Scenario, ScenarioSet } from '../buckets/index.js';
import type { Agent, AgentOptions } from './agent.js';

/** Every bucket of the scenario holds events of one source address: its groupby uses the source IP. */
export function perSource(s: Scenario): boolean {
  return s.groupby !== null && /\bsource_ip\b/.test(s.groupby.source);
}

export function hasGlobalScenarios(set: ScenarioSet): boolean {
  return set.scenarios.some((s) => !perSource(s));
}

/**
 * The options of a shard's agent (a worker, or the main thread's own shard): it pours only per-source scenarios
 * and hands `toMerge` each parsed event a global scenario wants, with its index in the pushLines call. Empty when
 * the content has no global scenario.
 */
export function shardOptions(
  set: ScenarioSet,
  toMerge: (evt: Event, index: number) => void,
): Pick<AgentOptions, 'active' | 'tap'> {
  if (!hasGlobalScenarios(set)) return {};
  const wanted = globalFilter(set);
  return {
    active: perSource,
    tap: (evt, i) => {
      if (wanted(evt)) toMerge(evt, i);
    },
  };
}

/** Does this parsed event pass the filter of a global scenario (then the main thread needs it)? */
function globalFilter(set: ScenarioSet): (evt: Event) => boolean {
  const globals = set.scenarios.filter((s) => !perSource(s));
  const env: Record<string, unknown> = { evt: null };
  return (evt) => {
    env.evt = evt;
    for (const s of globals) {
      // a filter error is the main engine's to count and report: send the event on
      try {
        if (s.filter.run(env) === true) return true;
      } catch {
        return true;
      }
    }
    return false;
  };
}

/** Main side: events of global scenarios from every shard, poured in line order up to a watermark. */
export class GlobalMerge {
  private pending: Array<{ n: number; e: Event }> = [];
  constructor(readonly agent: Agent) {}

  add(n: number, e: Event): void {
    this.pending.push({ n, e });
  }

  /** Pours, in line order, the events of lines numbered <= watermark (every shard is past them). */
  drain(watermark: number): void {
    const p = this.pending;
    if (p.length === 0) return;
    p.sort((a, b) => a.n - b.n);
    let k = 0;
    while (k < p.length && p[k]!.n <= watermark) k++;
    if (k === 0) return;
    const ready = p.slice(0, k).map((x) => x.e);
    this.pending = p.slice(k);
    this.agent.pourEvents(ready);
  }
}
