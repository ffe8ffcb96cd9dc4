// Test helpers for the bucket engine: scenario files in a temp dir, events, runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event, TIMEMACHINE, LIVE, newStrMap } from '../../src/core/event.js';
import { loadScenarios } from '../../src/buckets/index.js';
import type { ScenarioSet, LoadOptions } from '../../src/buckets/index.js';

export const dir = mkdtempSync(join(tmpdir(), 'picket-buckets-'));
let n = 0;

/** Writes YAML to a new file (name sorts by creation order) and returns its path. */
export function file(yaml: string, name?: string): string {
  const p = join(dir, name ?? `s${String(n++).padStart(4, '0')}.yaml`);
  writeFileSync(p, yaml);
  return p;
}

export function load(yamls: string | string[], opts: Partial<LoadOptions> = {}): ScenarioSet {
  const list = Array.isArray(yamls) ? yamls : [yamls];
  return loadScenarios(
    list.map((y) => file(y)),
    { dataDir: dir, ...opts },
  );
}

/** TIMEMACHINE log event at `ts` (RFC3339) with Meta. */
export function ev(ts: string, meta: Record<string, string> = {}, enriched: Record<string, string> = {}): Event {
  const e = new Event();
  e.ExpectMode = TIMEMACHINE;
  e.MarshaledTime = ts;
  e.Meta = newStrMap(meta);
  e.Enriched = newStrMap(enriched);
  e.Process = true;
  return e;
}

export function liveEv(meta: Record<string, string> = {}): Event {
  const e = new Event();
  e.ExpectMode = LIVE;
  e.Meta = newStrMap(meta);
  e.Process = true;
  return e;
}

/** 2026-01-10T10:00:SSZ-style helper: seconds after 10:00:00. */
export function at(sec: number): string {
  const d = new Date(Date.UTC(2026, 0, 10, 10, 0, 0) + sec * 1000);
  return d.toISOString().replace('.000Z', 'Z');
}
