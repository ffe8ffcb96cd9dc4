// `picket explain --file LOG --type TYPE [--line LINE] [--hub DIR | --content DIR]`: like `cscli explain`,
// shows for each log line, stage by stage and node by node, whether the node succeeded, which Parsed/Meta/
// Enriched fields it added, changed or removed, and whether the line ends up whitelisted, dropped or poured.
// Owns: content discovery (hub layout `parsers/<stage>/**.yaml`, `patterns/`, `data/`), the recorder that
// diffs snapshots, and the text rendering.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { Event, newStrMap, TIMEMACHINE } from '../../core/event.js';
import { GoTime } from '../../core/gotime.js';
import { PatternLibrary } from '../../grok/index.js';
import { loadParserTree, type ParserFileSpec } from '../../parser/load.js';
import { PARSE_DROPPED, PARSE_ERROR, PARSE_OK, type EventSnapshot } from '../../parser/runtime.js';
import { makeEnrichContext } from '../../parser/enrich/context.js';
import { readLogFile, splitLogLines } from '../../acquisition/file/read-all.js';
import { loadScenarios, type ScenarioSet } from '../../buckets/index.js';
import { discoverContent } from '../../config/content.js';
import { errorMessage } from '../../core/errors.js';

const usage = `Usage: picket explain --file LOG --type TYPE [--hub DIR | --content DIR] [--verbose]
       picket explain --line LINE --type TYPE [--hub DIR | --content DIR]

Run log lines through the parsers and show, for every stage and node, whether it succeeded and
which fields it added (+), changed (~) or removed (-), then whether the line is whitelisted,
dropped (not parsed) or poured, and the scenarios whose filter takes it (as cscli explain).

Options:
  --file LOG      log file to explain (one event per non-empty line)
  --line LINE     a single log line instead of a file
  --type TYPE     log type (the acquisition label "type", e.g. syslog, nginx)
  --content DIR   content folder with the hub layout: parsers/<stage>/**.yaml, patterns/, data/
  --hub DIR       a hub folder (same layout); also the patterns fallback for --content
  --label K:V     extra acquisition label (repeatable)
  --verbose       also list failed nodes that changed nothing, and failed nodes' field changes
  --json          print the per-line trace as JSON
  -h, --help      this help

Default content: Picket's own parsers/ folder at the repository root, with patterns from
<content>/patterns, else <hub>/patterns, else the built-in grok patterns only.`;

/** Collect `parsers/<stage>/**.y?ml` under a content folder. */
export function discoverParsers(contentDir: string, sub = 'parsers'): ParserFileSpec[] {
  const root = join(contentDir, sub);
  const out: ParserFileSpec[] = [];
  if (!existsSync(root)) return out;
  for (const stage of readdirSync(root).sort()) {
    const sdir = join(root, stage);
    if (!statSync(sdir).isDirectory()) continue;
    const walk = (d: string) => {
      for (const f of readdirSync(d).sort()) {
        const p = join(d, f);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(f)) out.push({ path: p, stage });
      }
    };
    walk(sdir);
  }
  return out;
}

export interface FieldChange {
  op: '+' | '~' | '-';
  field: string;
  before?: string;
  after?: string;
}

/** Differences of Parsed/Meta/Enriched (+ whitelist state) between two snapshots. */
export function diffSnapshots(a: EventSnapshot | null, b: EventSnapshot): FieldChange[] {
  const out: FieldChange[] = [];
  for (const part of ['Parsed', 'Meta', 'Enriched'] as const) {
    const x = a ? a[part] : {};
    const y = b[part];
    for (const k of Object.keys(y).sort()) {
      if (!(k in x)) out.push({ op: '+', field: `${part}.${k}`, after: y[k] });
      else if (x[k] !== y[k]) out.push({ op: '~', field: `${part}.${k}`, before: x[k], after: y[k] });
    }
    for (const k of Object.keys(x).sort()) if (!(k in y)) out.push({ op: '-', field: `${part}.${k}`, before: x[k] });
  }
  if (b.StrTime !== (a?.StrTime ?? ''))
    out.push({ op: a?.StrTime ? '~' : '+', field: 'StrTime', before: a?.StrTime, after: b.StrTime });
  if (b.Whitelisted && !(a?.Whitelisted ?? false))
    out.push({ op: '+', field: 'Whitelisted', after: `true (${b.WhitelistReason})` });
  return out;
}

export interface NodeTrace {
  stage: string;
  node: string;
  success: boolean;
  changes: FieldChange[];
}
export interface LineTrace {
  line: string;
  nodes: NodeTrace[];
  outcome: 'poured' | 'whitelisted' | 'dropped' | 'error';
  error?: string;
  finalStage: string;
  /** poured: the scenarios whose filter takes the event (as cscli explain lists them) */
  scenarios?: string[];
}

/** the names of the scenarios whose filter is true for `evt` (a filter error counts as not entering) */
export function scenariosEntered(set: ScenarioSet | null, evt: Event): string[] {
  if (set === null) return [];
  const env: Record<string, unknown> = { evt };
  const out: string[] = [];
  for (const s of set.scenarios) {
    try {
      if (s.filter.run(env) === true) out.push(s.name);
    } catch {
      /* a runtime error: the engine skips it too */
    }
  }
  return out;
}

function q(s: string | undefined): string {
  const t = s ?? '';
  return JSON.stringify(t.length > 120 ? t.slice(0, 117) + '...' : t);
}

export function renderTrace(t: LineTrace, verbose: boolean): string {
  const out: string[] = [`line: ${t.line}`];
  let stage = '';
  let hidden = 0;
  const flushHidden = () => {
    if (hidden > 0) out.push(`\t|\t├ 🔴 ${hidden} other node(s) failed without changes (--verbose shows them)`);
    hidden = 0;
  };
  for (const n of t.nodes) {
    if (n.stage !== stage) {
      flushHidden();
      stage = n.stage;
      out.push(`\t├ ${stage}`);
    }
    if (!verbose && !n.success && n.changes.length === 0) {
      hidden++;
      continue;
    }
    const mark = n.success ? '🟢' : '🔴';
    const counts =
      n.changes.length > 0
        ? ` (${['+', '~', '-'].map((op) => `${op}${n.changes.filter((c) => c.op === op).length}`).join(' ')})`
        : '';
    out.push(`\t|\t├ ${mark} ${n.node}${n.success || verbose ? counts : ''}`);
    if (n.success || verbose) {
      for (const c of n.changes) {
        if (c.op === '+') out.push(`\t|\t|\t+ ${c.field} = ${q(c.after)}`);
        else if (c.op === '~') out.push(`\t|\t|\t~ ${c.field} : ${q(c.before)} -> ${q(c.after)}`);
        else out.push(`\t|\t|\t- ${c.field}`);
      }
    }
  }
  flushHidden();
  switch (t.outcome) {
    case 'poured': {
      out.push('\t├-------- parser success 🟢', '\t├ Scenarios');
      const sc = t.scenarios ?? [];
      if (sc.length === 0) out.push('\t\t└ no scenario takes this event');
      sc.forEach((n, i) => out.push(`\t\t${i === sc.length - 1 ? '└' : '├'} 🟢 ${n}`));
      break;
    }
    case 'whitelisted':
      out.push('\t├-------- parser success, whitelisted 🟢 (not poured)');
      break;
    case 'dropped':
      out.push(`\t└-------- parser failure 🔴 (dropped${t.finalStage ? ` at stage ${t.finalStage}` : ''}, not poured)`);
      break;
    case 'error':
      out.push(`\t└-------- parser error 🔴 (event discarded: ${t.error ?? ''})`);
      break;
  }
  return out.join('\n');
}

function repoRoot(): string {
  // dist/src/cli/commands/explain.js -> repo root
  const here = dirname(fileURLToPath(import.meta.url));
  let d = here;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'package.json'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'show how log lines go through the parsers, node by node (like cscli explain)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseOptions('explain', argv, {
      file: { type: 'string' },
      line: { type: 'string' },
      type: { type: 'string' },
      hub: { type: 'string' },
      content: { type: 'string' },
      label: { type: 'string', multiple: true },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (!values.type) throw new CliError('--type is required');
    if (!values.file && values.line === undefined) throw new CliError('one of --file or --line is required');
    if (values.file && values.line !== undefined) throw new CliError('--file and --line are exclusive');
    const hub = values.hub ? resolve(values.hub as string) : null;
    const content = values.content ? resolve(values.content as string) : (hub ?? repoRoot());
    if (!existsSync(content)) throw new CliError(`content folder ${content} does not exist`);
    const files = discoverParsers(content);
    if (files.length === 0)
      throw new CliError(`no parser files under ${join(content, 'parsers')} (use --hub DIR or --content DIR)`);
    const lib = PatternLibrary.withBuiltins();
    const patternsDir = [join(content, 'patterns'), hub ? join(hub, 'patterns') : ''].find((d) => d && existsSync(d));
    const dataDir = existsSync(join(content, 'data'))
      ? join(content, 'data')
      : hub
        ? join(hub, 'data')
        : join(content, 'data');
    let tree;
    try {
      if (patternsDir) lib.loadDirectory(patternsDir);
      tree = loadParserTree(files, {
        patterns: lib,
        dataDir,
        enrich: makeEnrichContext({ dataDir, timeMachine: true }),
      });
    } catch (e) {
      throw new CliError(`loading parsers from ${content}: ${errorMessage(e)}`, 1);
    }
    let scenarios: ScenarioSet | null;
    try {
      const files = existsSync(join(content, 'scenarios')) ? discoverContent(content).scenarios : [];
      scenarios = files.length ? loadScenarios(files, { dataDir }) : null;
    } catch (e) {
      throw new CliError(`loading scenarios from ${content}: ${errorMessage(e)}`, 1);
    }
    const labels: Record<string, string> = {};
    for (const kv of (values.label as string[] | undefined) ?? []) {
      const i = kv.indexOf(':');
      if (i <= 0) throw new CliError(`--label expects KEY:VALUE, got "${kv}"`);
      labels[kv.slice(0, i)] = kv.slice(i + 1);
    }
    labels.type = values.type as string;
    let src: string;
    let lines: string[];
    if (values.file) {
      src = resolve(values.file as string);
      try {
        lines = readLogFile(src);
      } catch (e) {
        throw new CliError(`cannot read ${src}: ${errorMessage(e)}`, 1);
      }
    } else {
      src = 'explain';
      lines = splitLogLines(Buffer.from(values.line as string));
    }
    let cur: LineTrace | null = null;
    let prev: EventSnapshot | null = null;
    tree.recorder = (stage, node, snap, success) => {
      cur!.nodes.push({ stage, node, success, changes: diffSnapshots(prev, snap) });
      prev = snap;
    };
    const traces: LineTrace[] = [];
    for (const raw of lines) {
      const evt = new Event({ Raw: raw, Src: src, Module: 'file', Labels: newStrMap(labels), Time: GoTime.now() });
      evt.ExpectMode = TIMEMACHINE;
      cur = { line: raw, nodes: [], outcome: 'dropped', finalStage: '' };
      prev = null;
      const r = tree.parse(evt);
      cur.finalStage = evt.Stage;
      if (r === PARSE_ERROR) {
        cur.outcome = 'error';
        cur.error = tree.lastError;
      } else if (r === PARSE_DROPPED) cur.outcome = 'dropped';
      else if (r === PARSE_OK) cur.outcome = evt.Whitelisted ? 'whitelisted' : 'poured';
      if (cur.outcome === 'poured') cur.scenarios = scenariosEntered(scenarios, evt);
      traces.push(cur);
      if (!values.json) io.out(renderTrace(cur, Boolean(values.verbose)) + '\n');
    }
    if (values.json) io.out(JSON.stringify(traces));
    for (const w of tree.warnings) io.err(`warning: ${w}`);
    return 0;
  },
};
