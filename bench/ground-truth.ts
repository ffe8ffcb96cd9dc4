// Ground-truth check of Picket's default content against a log made by shared/tools/gen-logs.mjs.
// Replays the log through the content (parsers + scenarios, time-machine mode, strictly in order), then
// compares the flagged source IPs with the generator's truth file: recall over attacker IPs, false
// positives (flagged IPs that are not attackers, with the scenarios that flagged them), per-scenario
// alert counts and throughput.
// Owns: bench/ground-truth.ts only (imported by test/content/ground-truth.test.ts).
//
//   node dist/bench/ground-truth.js --log /tmp/mixed.log --type syslog [--truth /tmp/mixed.log.truth.json]
//        [--content DIR] [--year YYYY] [--store wasm|ts] [--grok re2|hybrid|js] [--json] [--missed N]
//
// --type is the acquisition log type (gen-logs: ssh and mixed -> syslog, nginx -> nginx).
// --truth defaults to LOG.truth.json. --year completes year-less syslog dates (default: the year of the
// truth file's options.start, else the current year). --content defaults to Picket's own content.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Event, TIMEMACHINE, newStrMap } from '../src/core/event.js';
import { GoTime } from '../src/core/gotime.js';
import { PatternLibrary } from '../src/grok/index.js';
import { loadParserTree } from '../src/parser/load.js';
import { PARSE_OK, PARSE_ERROR } from '../src/parser/runtime.js';
import { loadScenarios, BucketEngine } from '../src/buckets/index.js';
import { discoverContent, defaultContent, type ContentSet } from '../src/config/content.js';

export interface GroundTruthOptions {
  log: string;
  type: string;
  truth?: string | null;
  content?: string | null;
  year?: number | null;
  store?: 'wasm' | 'ts';
  /** grok engine (PatternLibrary option; default the library's default) */
  grokEngine?: 're2' | 'js' | 'hybrid';
  /** called for load warnings and engine runtime warnings (default: ignored) */
  warn?: (msg: string) => void;
}

export interface AttackerInfo {
  ip: string;
  modes: string[];
  lines: number;
  truncated: boolean;
  single_shot: boolean;
}

export interface GroundTruthResult {
  lines: number;
  parsed: number;
  dropped: number;
  whitelisted: number;
  parseErrors: number;
  alerts: number;
  alertsByScenario: Record<string, number>;
  flaggedIps: number;
  seconds: number;
  linesPerSecond: number;
  truth: null | {
    attackers: number;
    detected: number;
    recall: number;
    recallByMode: Record<string, { attackers: number; detected: number; by: Record<string, number> }>;
    missed: AttackerInfo[];
    falsePositives: Array<{ ip: string; scenarios: string[] }>;
  };
}

interface TruthFile {
  options?: { start?: string };
  attackers: Array<{
    ip: string;
    lines: number;
    single_shot?: boolean;
    campaigns: Array<{ service: string; mode: string; truncated?: boolean }>;
  }>;
}

function loadContent(dir: string | null | undefined): ContentSet {
  return dir ? discoverContent(dir) : defaultContent();
}

/** The attackers of the truth file the alerts flagged, by attack mode, and the addresses flagged wrongly. */
function scoreTruth(truth: TruthFile, flagged: Map<string, Set<string>>): GroundTruthResult['truth'] {
  const attackers = new Map<string, AttackerInfo>();
  for (const a of truth.attackers) {
    const modes = [...new Set(a.campaigns.map((c) => `${c.service}:${c.mode}`))];
    attackers.set(a.ip, {
      ip: a.ip,
      modes,
      lines: a.lines,
      single_shot: a.single_shot === true,
      truncated: a.campaigns.every((c) => c.truncated === true),
    });
  }
  let detected = 0;
  type ModeStat = { attackers: number; detected: number; by: Record<string, number> };
  const byMode: Record<string, ModeStat> = Object.create(null) as Record<string, ModeStat>;
  const missed: AttackerInfo[] = [];
  for (const a of attackers.values()) {
    const hit = flagged.has(a.ip);
    if (hit) detected++;
    else missed.push(a);
    for (const m of a.modes) {
      const e =
        byMode[m] ?? (byMode[m] = { attackers: 0, detected: 0, by: Object.create(null) as Record<string, number> });
      e.attackers++;
      if (hit) {
        e.detected++;
        for (const sc of flagged.get(a.ip)!) e.by[sc] = (e.by[sc] ?? 0) + 1;
      }
    }
  }
  const fps: Array<{ ip: string; scenarios: string[] }> = [];
  for (const [ip, sc] of flagged) if (!attackers.has(ip)) fps.push({ ip, scenarios: [...sc].sort() });
  return {
    attackers: attackers.size,
    detected,
    recall: attackers.size ? detected / attackers.size : 1,
    recallByMode: byMode,
    missed,
    falsePositives: fps,
  };
}

/** Calls `handle` with each line of the file (without its CR LF or LF), read 4 MiB at a time. */
function readLines(src: string, handle: (line: string) => void): void {
  const fd = fs.openSync(src, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let rest = '';
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n <= 0) break;
    const text = rest + buf.toString('utf8', 0, n);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      handle(text.slice(start, end));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  fs.closeSync(fd);
  if (rest.length > 0) handle(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
}

/** Replays `opts.log` through the content and scores it against the truth file (if any). */
export function runGroundTruth(opts: GroundTruthOptions): GroundTruthResult {
  const warn = opts.warn ?? (() => undefined);
  const truthPath = opts.truth === undefined ? `${opts.log}.truth.json` : opts.truth;
  let truth: TruthFile | null = null;
  if (truthPath && fs.existsSync(truthPath)) truth = JSON.parse(fs.readFileSync(truthPath, 'utf8')) as TruthFile;
  let year = opts.year ?? null;
  if (year === null && truth?.options?.start) {
    const y = new Date(truth.options.start).getUTCFullYear();
    if (Number.isFinite(y)) year = y;
  }
  if (year === null) year = new Date().getUTCFullYear();

  const content = loadContent(opts.content);
  const patterns = PatternLibrary.withBuiltins(opts.grokEngine ? { engine: opts.grokEngine } : {});
  if (content.patternsDir) patterns.loadDirectory(content.patternsDir);
  const enrich = {
    timeMachine: true,
    yearForYearless: year,
    now: () => GoTime.now(),
    geo: null,
    rdns: false,
  };
  const tree = loadParserTree(content.parsers, { patterns, dataDir: content.dataDir, enrich });
  for (const w of tree.warnings) warn(`parser load: ${w}`);
  const set = loadScenarios(content.scenarios, { dataDir: content.dataDir });
  const engine = new BucketEngine(set, { store: opts.store ?? 'wasm', log: warn });

  const flagged = new Map<string, Set<string>>();
  const byScenario: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const s of set.scenarios) byScenario[s.name] = 0;
  let alerts = 0;
  const record = (ovs: Event[]): void => {
    for (const ov of ovs) {
      const a = ov.Overflow?.Alert;
      if (!a) continue;
      alerts++;
      byScenario[a.Scenario] = (byScenario[a.Scenario] ?? 0) + 1;
      const ips = ov.Overflow ? Object.keys(ov.Overflow.Sources) : [];
      if (ips.length === 0 && a.Source) ips.push(a.Source.Value);
      for (const ip of ips) {
        let s = flagged.get(ip);
        if (!s) {
          s = new Set();
          flagged.set(ip, s);
        }
        s.add(a.Scenario);
      }
    }
  };

  const src = path.resolve(opts.log);
  const labels = newStrMap({ type: opts.type });
  let lines = 0,
    parsed = 0,
    dropped = 0,
    whitelisted = 0,
    parseErrors = 0;
  const batch: Event[] = [];
  const BATCH = 256;
  const handle = (raw: string): void => {
    if (raw.length === 0) return;
    lines++;
    const evt = new Event({ Raw: raw, Src: src, Labels: labels, Module: 'file' });
    evt.ExpectMode = TIMEMACHINE;
    const r = tree.parse(evt);
    if (r !== PARSE_OK) {
      if (r === PARSE_ERROR) parseErrors++;
      else dropped++;
      return;
    }
    parsed++;
    if (evt.Whitelisted) {
      whitelisted++;
      return;
    }
    batch.push(evt);
    if (batch.length >= BATCH) {
      record(engine.pourMany(batch));
      batch.length = 0;
    }
  };

  const t0 = process.hrtime.bigint();
  readLines(src, handle);
  if (batch.length) {
    record(engine.pourMany(batch));
    batch.length = 0;
  }
  const fl = (engine as unknown as { flush?: () => Event[] | void }).flush;
  if (typeof fl === 'function') {
    const o = fl.call(engine);
    if (Array.isArray(o)) record(o);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const result: GroundTruthResult = {
    lines,
    parsed,
    dropped,
    whitelisted,
    parseErrors,
    alerts,
    alertsByScenario: byScenario,
    flaggedIps: flagged.size,
    seconds,
    linesPerSecond: seconds > 0 ? lines / seconds : 0,
    truth: null,
  };
  if (truth) result.truth = scoreTruth(truth, flagged);
  return result;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

export function formatResult(r: GroundTruthResult, maxMissed = 15): string {
  const out: string[] = [];
  out.push(
    `lines ${r.lines}  parsed ${r.parsed}  dropped ${r.dropped}  whitelisted ${r.whitelisted}  parse errors ${r.parseErrors}`,
  );
  out.push(`time ${r.seconds.toFixed(2)} s  ${Math.round(r.linesPerSecond)} lines/s`);
  out.push(`alerts ${r.alerts}  flagged IPs ${r.flaggedIps}`);
  for (const [s, n] of Object.entries(r.alertsByScenario).sort()) out.push(`  ${s.padEnd(32)} ${n}`);
  if (r.truth) {
    const t = r.truth;
    out.push(`recall ${t.detected}/${t.attackers} = ${pct(t.recall)}`);
    for (const [m, e] of Object.entries(t.recallByMode).sort()) {
      const by = Object.entries(e.by)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k.replace(/^picket\//, '')} ${v}`)
        .join(', ');
      out.push(`  ${m.padEnd(20)} ${String(e.detected).padStart(5)}/${String(e.attackers).padEnd(5)}  by ${by}`);
    }
    out.push(`false positives ${t.falsePositives.length}`);
    for (const f of t.falsePositives.slice(0, 50)) out.push(`  FP ${f.ip} by ${f.scenarios.join(', ')}`);
    if (t.missed.length) {
      out.push(`missed ${t.missed.length}${t.missed.length > maxMissed ? ` (first ${maxMissed})` : ''}`);
      for (const m of t.missed.slice(0, maxMissed)) {
        out.push(
          `  MISS ${m.ip} ${m.modes.join('+')} lines=${m.lines}${m.truncated ? ' truncated' : ''}${m.single_shot ? ' single-shot' : ''}`,
        );
      }
    }
  } else out.push('no truth file: recall and false positives not computed');
  return out.join('\n');
}

function main(argv: string[]): number {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(
        'usage: ground-truth --log FILE --type syslog|nginx|... [--truth FILE] [--content DIR] [--year N] [--store wasm|ts] [--grok re2|hybrid|js] [--json] [--missed N]\n',
      );
      return 0;
    }
    if (!a.startsWith('--')) {
      process.stderr.write(`ground-truth: unexpected argument ${a}\n`);
      return 2;
    }
    const k = a.slice(2);
    if (k === 'json') {
      o.json = '1';
      continue;
    }
    const v = argv[++i];
    if (v === undefined) {
      process.stderr.write(`ground-truth: --${k} needs a value\n`);
      return 2;
    }
    o[k] = v;
  }
  if (!o.log || !o.type) {
    process.stderr.write('ground-truth: --log and --type are required\n');
    return 2;
  }
  const warnings = new Map<string, number>();
  const r = runGroundTruth({
    log: o.log,
    type: o.type,
    truth: o.truth ?? undefined,
    content: o.content ?? null,
    year: o.year ? Number(o.year) : null,
    store: o.store === 'ts' ? 'ts' : 'wasm',
    grokEngine: o.grok === 'js' || o.grok === 'hybrid' || o.grok === 're2' ? o.grok : undefined,
    warn: (m) => {
      const k = m.slice(0, 200);
      warnings.set(k, (warnings.get(k) ?? 0) + 1);
    },
  });
  if (o.json) process.stdout.write(JSON.stringify(r, null, 1) + '\n');
  else process.stdout.write(formatResult(r, o.missed ? Number(o.missed) : 15) + '\n');
  if (warnings.size) {
    process.stderr.write(`warnings (${warnings.size} distinct):\n`);
    for (const [m, n] of [...warnings].slice(0, 20)) process.stderr.write(`  ${n}x ${m}\n`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
