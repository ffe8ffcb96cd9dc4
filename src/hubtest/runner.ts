// Hubtest runner: replays one hub test folder the way `cscli hubtest run` drives crowdsec
// (`-dsn file://LOG -type T -order-event -dump-data`), per shared/hub-tests/README.md "What a runner has to do".
// Owns: installing the listed items (stage + basename order), override_statics node, the pattern library,
// the enrich context pinned to reference_now's year, time-machine acquisition of the log file, recording
// parser results per stage/node, pouring into scenarios (src/buckets, when present), postoverflows,
// reprocess, and building the result JSON.

import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as YAML from 'yaml';
import { Event, newStrMap, OVFLW, TIMEMACHINE } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import { PatternLibrary } from '../grok/index.js';
import { makeEnrichContext } from '../parser/enrich/context.js';
import { loadParserTree, type ParserFileSpec } from '../parser/load.js';
import { PARSE_OK, type ParserTree, type EventSnapshot } from '../parser/runtime.js';
import {
  readExpect,
  type ExpectFile,
  type ExpectItem,
  type HubTestResult,
  type ResultAlert,
  type ResultEvt,
  type ResultSource,
} from './expect.js';
import { loadScenarioDriver, type ScenarioDriver } from './scenarios.js';
import { goSortSlice, goStringCompare, type XorshiftVariant } from './pdqsort.js';
import { readLogFile } from '../acquisition/file/read-all.js';

export interface RunOptions {
  hubDir: string;
  testDir: string;
  /** override the clock reference (default: expect.json reference_now) */
  referenceNow?: string;
  /** alert order: Go hubtest's sort.Sort (default) or emission order (debugging) */
  alertOrder?: 'go' | 'emission';
}

export function itemPath(item: ExpectItem, hubDir: string, testDir: string): string {
  if (isAbsolute(item.file)) return item.file;
  return resolve(item.from === 'test' ? testDir : hubDir, item.file);
}

/** Stage of an item: given, else the directory two levels above the file (`<stage>/<author>/<file>`). */
export function itemStage(item: ExpectItem, path: string): string {
  if (item.stage) return item.stage;
  return basename(dirname(dirname(path)));
}

function toResultEvt(s: EventSnapshot): ResultEvt {
  return {
    Parsed: s.Parsed,
    Meta: s.Meta,
    Enriched: s.Enriched,
    Unmarshaled: s.Unmarshaled,
    Whitelisted: s.Whitelisted,
    WhitelistReason: s.WhitelistReason,
    StrTime: s.StrTime,
    MarshaledTime: s.MarshaledTime,
    Stage: s.Stage,
  };
}

function srcToResult(s: { IP: string; Range: string; Scope: string; Value: string } | null): ResultSource | null {
  if (!s) return null;
  return { ip: s.IP ?? '', range: s.Range ?? '', scope: s.Scope ?? '', value: s.Value ?? '' };
}

export function alertToResult(evt: Event): ResultAlert | null {
  const ov = evt.Overflow;
  if (!ov || !ov.Alert) return null;
  const a = ov.Alert;
  const sources: Record<string, ResultSource> = {};
  for (const k of Object.keys(ov.Sources)) sources[k] = srcToResult(ov.Sources[k]!)!;
  return {
    scenario: a.Scenario,
    remediation: a.Remediation,
    events_count: a.EventsCount,
    whitelisted: ov.Whitelisted,
    sources,
    source: srcToResult(a.Source),
    events: a.Events.map((e) => {
      const meta: Record<string, string> = {};
      for (const m of e.Meta) meta[m.Key] = m.Value;
      return { meta, timestamp: e.Timestamp };
    }),
    message: a.Message,
    simulated: a.Simulated,
  };
}

/** Go hubtest's sort key: `Overflow.Alert.GetScenario() + strings.Join(Overflow.GetSources(), "@")`. */
export function alertSortKey(a: ResultAlert): string {
  return (a.scenario ?? '') + Object.keys(a.sources ?? {}).join('@');
}

/**
 * Order alerts the way `cscli hubtest` leaves the bucket dump: `sort.Sort(BucketResults)`, descending by
 * alertSortKey. Go's sort.Sort is pdqsort, not stable beyond 12 elements, so ties end up in Go's order.
 */
export function sortAlertsLikeHubtest(alerts: ResultAlert[], variant?: XorshiftVariant): ResultAlert[] {
  const keyed = alerts.map((a) => ({ a, k: alertSortKey(a) }));
  goSortSlice(keyed, (x, y) => goStringCompare(x.k, y.k) > 0, variant);
  for (let i = 0; i < keyed.length; i++) alerts[i] = keyed[i]!.a;
  return alerts;
}

/** The `overrides` node hubtest writes as parsers/s00-raw/00_overrides.yaml. */
export function overridesFile(statics: Record<string, string>[]): ParserFileSpec {
  const text = YAML.stringify({ name: 'overrides', filter: '1==1', statics });
  return { path: '00_overrides.yaml', stage: 's00-raw', text };
}

export interface LoadedTest {
  expect: ExpectFile;
  parsers: ParserTree;
  postoverflows: ParserTree;
  scenarios: ScenarioDriver | null;
  logPath: string;
  warnings: string[];
}

export async function loadTest(opts: RunOptions): Promise<LoadedTest> {
  const hubDir = resolve(opts.hubDir);
  const testDir = resolve(opts.testDir);
  const expect = readExpect(testDir);
  const refNow = opts.referenceNow ?? expect.reference_now ?? new Date().toISOString();
  const refDate = new Date(refNow);
  if (Number.isNaN(refDate.getTime())) throw new Error(`invalid reference_now "${refNow}"`);
  const dataDir = join(hubDir, 'data');
  const enrich = makeEnrichContext({ dataDir, year: refDate.getUTCFullYear(), timeMachine: true });

  const mkLib = () => {
    const lib = PatternLibrary.withBuiltins();
    lib.loadDirectory(join(hubDir, 'patterns'));
    return lib;
  };
  const parserFiles: ParserFileSpec[] = expect.parsers.map((p) => {
    const path = itemPath(p, hubDir, testDir);
    return { path, stage: itemStage(p, path) };
  });
  const extra = expect.override_statics.length > 0 ? [overridesFile(expect.override_statics)] : [];
  const parsers = loadParserTree(parserFiles, { patterns: mkLib(), dataDir, enrich, extraNodes: extra });
  const poFiles: ParserFileSpec[] = expect.postoverflows.map((p) => {
    const path = itemPath(p, hubDir, testDir);
    return { path, stage: itemStage(p, path) };
  });
  const postoverflows = loadParserTree(poFiles, { patterns: mkLib(), dataDir, enrich });
  let scenarios: ScenarioDriver | null = null;
  if (expect.scenarios.length > 0) {
    const files = expect.scenarios.map((s) => itemPath(s, hubDir, testDir));
    scenarios = await loadScenarioDriver(files, { dataDir, hubDir, patternsDir: join(hubDir, 'patterns') });
  }
  return {
    expect,
    parsers,
    postoverflows,
    scenarios,
    logPath: resolve(testDir, expect.log_file),
    warnings: [...parsers.warnings, ...postoverflows.warnings],
  };
}

/** Run one test and build the result JSON (throws on load errors). */
export async function runHubTest(opts: RunOptions): Promise<HubTestResult> {
  const t = await loadTest(opts);
  const { expect, parsers, postoverflows, scenarios } = t;
  const result: HubTestResult = { name: expect.name, parse: {}, alerts: [], error: null };
  const record = (stage: string, node: string, snap: EventSnapshot, success: boolean) => {
    let st = result.parse[stage];
    if (!st) {
      st = {};
      result.parse[stage] = st;
    }
    let list = st[node];
    if (!list) {
      list = [];
      st[node] = list;
    }
    list.push({ success, evt: toResultEvt(snap) });
  };
  parsers.recorder = record;
  postoverflows.recorder = record;

  const lines = readLogFile(t.logPath);
  const labels: Record<string, string> = { ...expect.labels, type: expect.log_type };
  let poured = 0;
  const handleOverflows = (ovs: Event[]) => {
    // breadth-first in emission order: reprocessed overflows are poured again
    const queue = [...ovs];
    while (queue.length > 0) {
      const ov = queue.shift()!;
      if (!ov.Overflow || ov.Overflow.Alert === null) continue;
      ov.Type = OVFLW;
      postoverflows.parse(ov);
      const a = alertToResult(ov);
      if (a) result.alerts.push(a);
      if (ov.Overflow.Whitelisted) continue;
      if (ov.Overflow.Reprocess && scenarios) queue.push(...scenarios.pour(ov));
    }
  };
  for (const raw of lines) {
    const evt = new Event({ Raw: raw, Src: t.logPath, Module: 'file', Labels: newStrMap(labels), Time: GoTime.now() });
    evt.ExpectMode = TIMEMACHINE;
    const r = parsers.parse(evt);
    if (r !== PARSE_OK || evt.Whitelisted) continue;
    if (scenarios) {
      poured++;
      handleOverflows(scenarios.pour(evt));
    }
  }
  if (scenarios) handleOverflows(scenarios.flush());
  if (opts.alertOrder !== 'emission') sortAlertsLikeHubtest(result.alerts);
  result.stats = {
    lines: lines.length,
    parsed: parsers.metrics.parsed,
    unparsed: parsers.metrics.unparsed,
    errors: parsers.metrics.errors,
    poured,
  };
  if (t.warnings.length > 0) result.warnings = t.warnings;
  return result;
}
