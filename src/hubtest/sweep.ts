// Robustness sweep over hub content: every hub parser (all stages), the postoverflows and every scenario
// replayed over every hub-test log (each with its own log_type, labels and override_statics, time-machine
// mode), plus each test's own item list. Reports what would hide a divergence from CrowdSec on tests we
// do not have: load errors, exceptions, expression runtime errors per expression, events discarded with
// PARSE_ERROR, statics warnings, and odd string values in Parsed/Meta/Enriched ("[object Object]",
// "undefined", "NaN", "0.000000"-style floats).
// Owns: the instrumentation (wrapping CompiledExpr.run of every loaded expression) and the report.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Event, newStrMap, OVFLW, TIMEMACHINE } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import { BucketEngine, loadScenarios, type ScenarioSet } from '../buckets/index.js';
import { compileExpr, type CompiledExpr } from '../expr/index.js';
import { PatternLibrary } from '../grok/index.js';
import { loadParserTree, type ParserFileSpec } from '../parser/load.js';
import type { CompiledNode } from '../parser/node.js';
import { PARSE_ERROR, PARSE_OK, type ParserTree } from '../parser/runtime.js';
import { makeEnrichContext } from '../parser/enrich/context.js';
import { readExpect, type ExpectFile } from './expect.js';
import { itemPath, itemStage, overridesFile } from './runner.js';
import { readLogFile } from '../acquisition/file/read-all.js';
import { errorMessage } from '../core/errors.js';

export interface SweepOptions {
  hubDir: string;
  testsDir: string;
  /** only these test names (default: every folder with an expect.json) */
  only?: string[];
  /** 'all': every hub item over every log; 'own': each test's items; 'both' (default) */
  mode?: 'all' | 'own' | 'both';
  /** lines listed per finding */
  top?: number;
}

interface Sample {
  test: string;
  line: string;
  detail?: string;
}
interface Finding {
  key: string;
  count: number;
  tests: Set<string>;
  samples: Sample[];
}

class Tally {
  readonly m = new Map<string, Finding>();
  add(key: string, s: Sample): void {
    let f = this.m.get(key);
    if (!f) {
      f = { key, count: 0, tests: new Set(), samples: [] };
      this.m.set(key, f);
    }
    f.count++;
    f.tests.add(s.test);
    if (f.samples.length < 3 && !f.samples.some((x) => x.test === s.test)) f.samples.push(s);
  }
  sorted(): Finding[] {
    return [...this.m.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  }
  get size(): number {
    return this.m.size;
  }
}

export interface SweepReport {
  tests: number;
  lines: number;
  parsed: number;
  dropped: number;
  whitelisted: number;
  overflows: number;
  loadErrors: Tally;
  exceptions: Tally;
  exprErrors: Tally;
  parseErrors: Tally;
  staticsWarnings: Tally;
  oddValues: Tally;
  engineLog: Tally;
  /** parsed events without MarshaledTime (time-machine buckets refuse them, except triggers) */
  noTime: Tally;
}

/** Current context for instrumentation callbacks. */
const cur = { test: '', line: '', mode: '' };

function trunc(s: string, n = 160): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function reasonOf(e: unknown): string {
  const r = (e as { reason?: unknown }).reason;
  if (typeof r === 'string') return r;
  return e instanceof Error ? e.message : String(e);
}

/** Numbers and quoted literals in a message vary per event; keep the message shape only. */
function shape(msg: string): string {
  return msg.replace(/"[^"]*"/g, '"…"').replace(/\b\d+(\.\d+)?\b/g, 'N');
}

function instrument(c: CompiledExpr | null, role: string, tally: Tally): void {
  if (c === null || (c as { __sweep?: boolean }).__sweep) return;
  const orig = c.run.bind(c);
  const w = c as unknown as { run: (env: unknown) => unknown; __sweep: boolean };
  w.__sweep = true;
  w.run = (env: unknown) => {
    try {
      return orig(env as never);
    } catch (e) {
      tally.add(`${role} | ${c.source.trim().replace(/\s+/g, ' ')} | ${shape(reasonOf(e))}`, {
        test: cur.test,
        line: trunc(cur.line),
        detail: trunc(reasonOf(e), 200),
      });
      throw e;
    }
  };
}

function instrumentNode(n: CompiledNode, tally: Tally): void {
  const role = `parser ${n.stage}/${n.name}`;
  instrument(n.filter, `${role} filter`, tally);
  instrument(n.grokExpr, `${role} grok.expression`, tally);
  for (const s of n.grokStatics) instrument(s.expr, `${role} grok.statics`, tally);
  for (const s of n.statics) instrument(s.expr, `${role} statics`, tally);
  for (const s of n.stash) {
    instrument(s.key, `${role} stash.key`, tally);
    instrument(s.value, `${role} stash.value`, tally);
  }
  if (n.whitelist) for (const e of n.whitelist.exprs) instrument(e, `${role} whitelist`, tally);
  for (const c of n.children) instrumentNode(c, tally);
}

function instrumentTree(t: ParserTree, tally: Tally): void {
  for (const n of t.nodes) instrumentNode(n, tally);
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** `<root>/<stage>/<author>/<file>` -> spec */
function stageFiles(root: string): ParserFileSpec[] {
  return listYaml(root).map((path) => ({ path, stage: basename(resolve(path, '../..')) }));
}

const ODD = /\[object |^undefined$|^NaN$|^-?Infinity$|^null$|^<nil>$|^-?\d+\.0{6}$/;

function checkOdd(evt: Event, r: SweepReport): void {
  for (const [mapName, m] of [
    ['Parsed', evt.Parsed],
    ['Meta', evt.Meta],
    ['Enriched', evt.Enriched],
  ] as const) {
    for (const k in m) {
      const v = m[k]!;
      if (typeof v !== 'string') {
        r.oddValues.add(`${mapName}.${k} is a ${typeof v}`, {
          test: cur.test,
          line: trunc(cur.line),
          detail: String(v),
        });
        continue;
      }
      if (!ODD.test(v)) continue;
      const cls = /^-?\d+\.0{6}$/.test(v) ? 'N.000000 (integral value printed as a Go %f float)' : trunc(v, 40);
      r.oddValues.add(`${mapName}.${k} = ${cls}`, { test: cur.test, line: trunc(cur.line), detail: v });
    }
  }
}

/** The bucket engine the sweep drives (a parameter, so a sweep can run with or without scenarios). */
interface ScenarioBits {
  loadScenarios: typeof loadScenarios;
  BucketEngine: typeof BucketEngine;
}

async function bucketsModule(): Promise<ScenarioBits | null> {
  return { loadScenarios, BucketEngine };
}

function mkLib(hubDir: string): PatternLibrary {
  const lib = PatternLibrary.withBuiltins();
  lib.loadDirectory(join(hubDir, 'patterns'));
  return lib;
}

interface Content {
  parsers: ParserTree | null;
  post: ParserTree | null;
  scenarios: ScenarioSet | null;
}

/** Load parser files; on a load error, load file by file to name every failing file, keep the good ones. */
function loadParsersTolerant(
  files: ParserFileSpec[],
  extra: ParserFileSpec[],
  hubDir: string,
  year: number,
  r: SweepReport,
  label: string,
): ParserTree | null {
  const dataDir = join(hubDir, 'data');
  const enrich = makeEnrichContext({ dataDir, year, timeMachine: true });
  const sink = {
    warn: (msg: string) =>
      r.staticsWarnings.add(shape(msg), { test: cur.test, line: trunc(cur.line), detail: trunc(msg, 300) }),
  };
  const load = (fs: ParserFileSpec[]) =>
    loadParserTree(fs, { patterns: mkLib(hubDir), dataDir, enrich, extraNodes: extra, sink });
  try {
    const t = load(files);
    for (const w of t.warnings)
      r.loadErrors.add(`warning: ${shape(w)}`, { test: label, line: '', detail: trunc(w, 300) });
    return t;
  } catch {
    /* find the culprits */
  }
  const good: ParserFileSpec[] = [];
  for (const f of files) {
    try {
      load([f]);
      good.push(f);
    } catch (e) {
      r.loadErrors.add(`parser ${f.path}: ${trunc(errorMessage(e), 300)}`, { test: label, line: '' });
    }
  }
  try {
    return load(good);
  } catch (e) {
    r.loadErrors.add(`parsers (together): ${trunc(errorMessage(e), 300)}`, { test: label, line: '' });
    return null;
  }
}

function loadScenariosTolerant(
  mod: ScenarioBits,
  files: string[],
  hubDir: string,
  r: SweepReport,
  label: string,
): ScenarioSet | null {
  const compile = (source: string, opts: { env: string; where: string }) => {
    const c = compileExpr(source, opts as never);
    instrument(c, `scenario ${opts.where.replace(/^.*\/scenarios\//, '')}`, r.exprErrors);
    return c;
  };
  const opts = { dataDir: join(hubDir, 'data'), compile };
  try {
    return mod.loadScenarios(files, opts);
  } catch {
    /* find the culprits */
  }
  const good: string[] = [];
  for (const f of files) {
    try {
      mod.loadScenarios([f], opts);
      good.push(f);
    } catch (e) {
      r.loadErrors.add(`scenario ${f}: ${trunc(errorMessage(e), 300)}`, { test: label, line: '' });
    }
  }
  try {
    return mod.loadScenarios(good, opts);
  } catch (e) {
    r.loadErrors.add(`scenarios (together): ${trunc(errorMessage(e), 300)}`, { test: label, line: '' });
    return null;
  }
}

function replay(
  test: string,
  testDir: string,
  ex: ExpectFile,
  c: Content,
  mod: ScenarioBits | null,
  r: SweepReport,
): void {
  cur.test = test;
  const logPath = resolve(testDir, ex.log_file);
  let lines: string[];
  try {
    lines = readLogFile(logPath);
  } catch (e) {
    r.exceptions.add(`cannot read log: ${errorMessage(e)}`, { test, line: '' });
    return;
  }
  const labels: Record<string, string> = { ...ex.labels, type: ex.log_type };
  let engine: { pour(e: Event): Event[]; flush?(): Event[] | void } | null = null;
  if (mod && c.scenarios) {
    engine = new mod.BucketEngine(c.scenarios, {
      log: (msg: string) => r.engineLog.add(shape(msg), { test, line: trunc(cur.line), detail: trunc(msg, 300) }),
    });
  }
  const handle = (ovs: Event[]) => {
    const queue = [...ovs];
    let guard = 0;
    while (queue.length > 0 && guard++ < 10000) {
      const ov = queue.shift()!;
      if (!ov.Overflow || ov.Overflow.Alert === null) continue;
      r.overflows++;
      ov.Type = OVFLW;
      if (c.post) {
        try {
          c.post.parse(ov);
        } catch (e) {
          r.exceptions.add(`postoverflow parse threw: ${shape(errorMessage(e))}`, {
            test,
            line: trunc(cur.line),
            detail: (e as Error).stack?.split('\n').slice(0, 3).join(' '),
          });
        }
      }
      if (ov.Overflow.Whitelisted || !ov.Overflow.Reprocess || !engine) continue;
      try {
        queue.push(...engine.pour(ov));
      } catch (e) {
        r.exceptions.add(`reprocess pour threw: ${shape(errorMessage(e))}`, {
          test,
          line: trunc(cur.line),
          detail: (e as Error).stack?.split('\n').slice(0, 3).join(' '),
        });
      }
    }
  };
  for (const raw of lines) {
    cur.line = raw;
    r.lines++;
    const evt = new Event({ Raw: raw, Src: logPath, Module: 'file', Labels: newStrMap(labels), Time: GoTime.now() });
    evt.ExpectMode = TIMEMACHINE;
    let res: number;
    if (!c.parsers) continue;
    try {
      res = c.parsers.parse(evt);
    } catch (e) {
      r.exceptions.add(`parse threw: ${shape(errorMessage(e))}`, {
        test,
        line: trunc(raw),
        detail: (e as Error).stack?.split('\n').slice(0, 3).join(' '),
      });
      continue;
    }
    checkOdd(evt, r);
    if (res === PARSE_ERROR) {
      r.parseErrors.add(shape(c.parsers.lastError), {
        test,
        line: trunc(raw),
        detail: trunc(c.parsers.lastError, 300),
      });
      continue;
    }
    if (res !== PARSE_OK) {
      r.dropped++;
      continue;
    }
    if (evt.Whitelisted) {
      r.whitelisted++;
      continue;
    }
    r.parsed++;
    if (evt.MarshaledTime === '' && engine !== null && ex.scenarios.length > 0) {
      r.noTime.add(`${ex.log_type}: StrTime ${evt.StrTime === '' ? '(empty)' : JSON.stringify(shape(evt.StrTime))}`, {
        test,
        line: trunc(raw),
        detail: `StrTime=${JSON.stringify(evt.StrTime)} StrTimeFormat=${JSON.stringify(evt.StrTimeFormat)}`,
      });
    }
    if (!engine) continue;
    try {
      handle(engine.pour(evt));
    } catch (e) {
      r.exceptions.add(`pour threw: ${shape(errorMessage(e))}`, {
        test,
        line: trunc(raw),
        detail: (e as Error).stack?.split('\n').slice(0, 3).join(' '),
      });
    }
  }
  cur.line = '<flush>';
  if (engine?.flush) {
    try {
      handle(engine.flush() ?? []);
    } catch (e) {
      r.exceptions.add(`flush threw: ${shape(errorMessage(e))}`, { test, line: '' });
    }
  }
}

export async function runSweep(o: SweepOptions): Promise<SweepReport> {
  const hubDir = resolve(o.hubDir);
  const testsDir = resolve(o.testsDir);
  const mode = o.mode ?? 'both';
  const r: SweepReport = {
    tests: 0,
    lines: 0,
    parsed: 0,
    dropped: 0,
    whitelisted: 0,
    overflows: 0,
    loadErrors: new Tally(),
    exceptions: new Tally(),
    exprErrors: new Tally(),
    parseErrors: new Tally(),
    staticsWarnings: new Tally(),
    oddValues: new Tally(),
    engineLog: new Tally(),
    noTime: new Tally(),
  };
  const names = readdirSync(testsDir)
    .filter((n) => existsSync(join(testsDir, n, 'expect.json')))
    .sort()
    .filter((n) => !o.only || o.only.includes(n));
  const mod = await bucketsModule();
  const refYear = (ex: ExpectFile) => new Date(ex.reference_now ?? Date.now()).getUTCFullYear();

  // every hub item, shared by all tests (one parser tree per override_statics/year variant)
  const allParsers = stageFiles(join(hubDir, 'parsers'));
  const allPost = stageFiles(join(hubDir, 'postoverflows'));
  const allScen = listYaml(join(hubDir, 'scenarios'));
  const trees = new Map<string, Content>();
  let allScenSet: ScenarioSet | null = null;
  if (mode !== 'own' && mod) {
    cur.test = '<load all>';
    allScenSet = loadScenariosTolerant(mod, allScen, hubDir, r, '<all>');
  }
  for (const name of names) {
    const testDir = join(testsDir, name);
    let ex: ExpectFile;
    try {
      ex = readExpect(testDir);
    } catch (e) {
      r.loadErrors.add(`expect.json: ${errorMessage(e)}`, { test: name, line: '' });
      continue;
    }
    r.tests++;
    const year = refYear(ex);
    const extra = ex.override_statics.length > 0 ? [overridesFile(ex.override_statics)] : [];
    if (mode !== 'own') {
      cur.test = name;
      cur.mode = 'all';
      const key = `${year}\u0000${JSON.stringify(ex.override_statics)}`;
      let c = trees.get(key);
      if (!c) {
        const parsers = loadParsersTolerant(allParsers, extra, hubDir, year, r, '<all>');
        const post = loadParsersTolerant(allPost, [], hubDir, year, r, '<all>');
        if (parsers) instrumentTree(parsers, r.exprErrors);
        if (post) instrumentTree(post, r.exprErrors);
        c = { parsers, post, scenarios: allScenSet };
        trees.set(key, c);
      }
      replay(name, testDir, ex, c, mod, r);
    }
    if (mode !== 'all') {
      cur.test = name;
      cur.mode = 'own';
      const spec = (items: ExpectFile['parsers']) =>
        items.map((p) => {
          const path = itemPath(p, hubDir, testDir);
          return { path, stage: itemStage(p, path) };
        });
      const parsers = loadParsersTolerant(spec(ex.parsers), extra, hubDir, year, r, name);
      const post = loadParsersTolerant(spec(ex.postoverflows), [], hubDir, year, r, name);
      if (parsers) instrumentTree(parsers, r.exprErrors);
      if (post) instrumentTree(post, r.exprErrors);
      const scen =
        mod && ex.scenarios.length > 0
          ? loadScenariosTolerant(
              mod,
              ex.scenarios.map((s) => itemPath(s, hubDir, testDir)),
              hubDir,
              r,
              name,
            )
          : null;
      replay(name, testDir, ex, { parsers, post, scenarios: scen }, mod, r);
    }
  }
  return r;
}

export function formatSweep(r: SweepReport, top = 15): string {
  const out: string[] = [];
  out.push(
    `sweep: ${r.tests} tests, ${r.lines} lines replayed: ${r.parsed} parsed and poured, ${r.whitelisted} whitelisted, ` +
      `${r.dropped} unparsed; ${r.overflows} alerts`,
  );
  const section = (title: string, t: Tally, n = top) => {
    const list = t.sorted();
    const total = list.reduce((s, f) => s + f.count, 0);
    out.push('', `== ${title}: ${list.length} distinct, ${total} total`);
    for (const f of list.slice(0, n)) {
      out.push(`  [${f.count}x, ${f.tests.size} test(s)] ${f.key}`);
      for (const s of f.samples.slice(0, 2)) {
        out.push(`      e.g. ${s.test}${s.line ? `: ${s.line}` : ''}${s.detail ? `\n           -> ${s.detail}` : ''}`);
      }
    }
    if (list.length > n) out.push(`  … ${list.length - n} more`);
  };
  section('load errors / warnings', r.loadErrors, 40);
  section('exceptions', r.exceptions);
  section('events discarded with PARSE_ERROR', r.parseErrors);
  section('expression runtime errors (per expression)', r.exprErrors, 30);
  section('statics warnings', r.staticsWarnings);
  section('odd values in Parsed/Meta/Enriched', r.oddValues);
  section('bucket engine log', r.engineLog);
  section('parsed events without MarshaledTime (dropped by time-machine buckets)', r.noTime);
  return out.join('\n');
}
