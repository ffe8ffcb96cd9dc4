// Parse throughput benchmark: single-thread lines/s of the sshd and nginx parser chains (Picket's default
// content and the hub's), with the grok engines re2, hybrid, safe (default) and js side by side on the same
// input, and a check that every engine yields identical results (parsed/unparsed counts and a hash of every
// event's Parsed and Meta maps).
// Owns: bench/parse.bench.ts only.
//
//   node dist/bench/parse.bench.js [--lines N] [--chains ssh,nginx] [--content picket,hub]
//        [--engines safe,re2,hybrid,js] [--hub DIR] [--cache DIR] [--write bench/RESULTS.md] [--json]
//
// Logs come from `node ../shared/tools/gen-logs.mjs --kind ssh|nginx --lines 1000000 --seed 1`, generated
// once and cached under --cache (default $TMPDIR/picket-bench). Only Event construction + tree.parse is
// timed; hashing runs between timed batches. Exit code 1 when engines disagree.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Event, TIMEMACHINE, newStrMap } from '../src/core/event.js';
import { GoTime } from '../src/core/gotime.js';
import { PatternLibrary, type GrokEngine } from '../src/grok/index.js';
import { loadParserTree } from '../src/parser/load.js';
import { PARSE_OK } from '../src/parser/runtime.js';
import { defaultContent, type StagedFile } from '../src/config/content.js';
import { sharedPath, skipUnless } from '../test/shared-data.js';

const GEN = sharedPath('tools', 'gen-logs.mjs');
const BATCH = 1024;

interface Chain {
  kind: 'ssh' | 'nginx';
  type: string;
  hubFiles: string[];
}
const CHAINS: Chain[] = [
  {
    kind: 'ssh',
    type: 'syslog',
    hubFiles: [
      's00-raw/crowdsecurity/syslog-logs.yaml',
      's01-parse/crowdsecurity/sshd-logs.yaml',
      's02-enrich/crowdsecurity/dateparse-enrich.yaml',
    ],
  },
  // the hub's non-syslog node lives in syslog-logs.yaml
  {
    kind: 'nginx',
    type: 'nginx',
    hubFiles: [
      's00-raw/crowdsecurity/syslog-logs.yaml',
      's01-parse/crowdsecurity/nginx-logs.yaml',
      's02-enrich/crowdsecurity/http-logs.yaml',
      's02-enrich/crowdsecurity/dateparse-enrich.yaml',
    ],
  },
];

export interface ParseBenchRow {
  chain: string;
  content: string;
  engine: string;
  lines: number;
  parsed: number;
  unparsed: number;
  errors: number;
  seconds: number;
  linesPerSecond: number;
  hash: string;
}

function logFile(kind: string, lines: number, cache: string): string {
  fs.mkdirSync(cache, { recursive: true });
  const f = path.join(cache, `${kind}-${lines}-seed1.log`);
  if (!fs.existsSync(f)) {
    const tmp = `${f}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      execFileSync(process.execPath, [GEN, '--kind', kind, '--lines', String(lines), '--seed', '1'], {
        stdio: ['ignore', fd, 'inherit'],
      });
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, f);
  }
  return f;
}

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let e = end;
    if (e > start && text.charCodeAt(e - 1) === 13) e--;
    if (e > start) out.push(text.slice(start, e));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

function parserFiles(
  chain: Chain,
  content: string,
  hub: string,
): { files: StagedFile[]; patternsDir: string | null; dataDir: string } {
  if (content === 'hub') {
    return {
      files: chain.hubFiles.map((f) => ({ path: path.join(hub, 'parsers', f), stage: f.split('/')[0]! })),
      patternsDir: path.join(hub, 'patterns'),
      dataDir: path.join(hub, 'data'),
    };
  }
  const c = defaultContent();
  return { files: c.parsers, patternsDir: c.patternsDir, dataDir: c.dataDir };
}

function addMap(h: ReturnType<typeof createHash>, tag: string, m: Record<string, string>): void {
  const keys = Object.keys(m).sort();
  h.update(tag);
  for (const k of keys) {
    h.update(k);
    h.update('\u0001');
    h.update(m[k]!);
    h.update('\u0002');
  }
}

export function runOne(chain: Chain, content: string, engine: GrokEngine, lines: string[], hub: string): ParseBenchRow {
  const { files, patternsDir, dataDir } = parserFiles(chain, content, hub);
  const patterns = PatternLibrary.withBuiltins({ engine });
  if (patternsDir) patterns.loadDirectory(patternsDir);
  const enrich = { timeMachine: true, yearForYearless: 2025, now: () => GoTime.now(), geo: null, rdns: false };
  const tree = loadParserTree(files, { patterns, dataDir, enrich });
  const labels = newStrMap({ type: chain.type });
  const src = `/var/log/${chain.kind}.log`;
  const h = createHash('sha256');
  const batch: Event[] = new Array<Event>(BATCH);
  const res = new Int8Array(BATCH);
  let parsed = 0,
    unparsed = 0,
    errors = 0;
  let ns = 0n;
  for (let i = 0; i < lines.length; i += BATCH) {
    const n = Math.min(BATCH, lines.length - i);
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < n; j++) {
      const evt = new Event({ Raw: lines[i + j]!, Src: src, Labels: labels, Module: 'file' });
      evt.ExpectMode = TIMEMACHINE;
      res[j] = tree.parse(evt);
      batch[j] = evt;
    }
    ns += process.hrtime.bigint() - t0;
    for (let j = 0; j < n; j++) {
      const r = res[j]!;
      if (r === PARSE_OK) parsed++;
      else if (r === 1) unparsed++;
      else errors++;
      h.update(String(r));
      if (r === PARSE_OK) {
        const e = batch[j]!;
        addMap(h, 'P', e.Parsed);
        addMap(h, 'M', e.Meta);
      }
    }
  }
  const seconds = Number(ns) / 1e9;
  return {
    chain: chain.kind,
    content,
    engine,
    lines: lines.length,
    parsed,
    unparsed,
    errors,
    seconds,
    linesPerSecond: seconds > 0 ? lines.length / seconds : 0,
    hash: h.digest('hex').slice(0, 16),
  };
}

export function machine(): string {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not linux */
  }
  return `nproc ${os.availableParallelism()}, ${cpu}, node ${process.version}`;
}

export function formatTable(rows: ParseBenchRow[]): string {
  const out = [
    '| chain | content | engine | lines/s | parsed | unparsed | errors | hash |',
    '|---|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.chain} | ${r.content} | ${r.engine} | ${Math.round(r.linesPerSecond).toLocaleString('en-US')} | ${r.parsed} | ${r.unparsed} | ${r.errors} | ${r.hash} |`,
    );
  }
  return out.join('\n');
}

/** Replace (or append) the "## Parse throughput" section of a markdown file. */
function writeSection(file: string, body: string): void {
  const head = '## Parse throughput';
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Picket benchmark results\n';
  const s = text.indexOf(head);
  if (s < 0) text = text.replace(/\n*$/, '\n\n') + body + '\n';
  else {
    const nx = text.indexOf('\n## ', s + head.length);
    text = text.slice(0, s) + body + '\n' + (nx < 0 ? '' : text.slice(nx + 1));
  }
  fs.writeFileSync(file, text);
}

function main(argv: string[]): number {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      o.json = '1';
      continue;
    }
    if (!a.startsWith('--') || argv[i + 1] === undefined) {
      process.stderr.write(`parse.bench: bad argument ${a}\n`);
      return 2;
    }
    o[a.slice(2)] = argv[++i]!;
  }
  const nLines = Number(o.lines ?? 1_000_000);
  const chains = (o.chains ?? 'ssh,nginx').split(',');
  const contents = (o.content ?? 'picket,hub').split(',');
  const engines = (o.engines ?? 'safe,re2,hybrid,js').split(',') as GrokEngine[];
  const hub = o.hub ?? sharedPath('hub');
  const cache = o.cache ?? path.join(os.tmpdir(), 'picket-bench');
  const missing = skipUnless(GEN, ...(contents.includes('hub') ? [hub] : []));
  if (missing) {
    process.stdout.write(`parse.bench: skipped: ${missing}\n`);
    return 0;
  }
  const rows: ParseBenchRow[] = [];
  let bad = 0;
  for (const chain of CHAINS) {
    if (!chains.includes(chain.kind)) continue;
    const lines = readLines(logFile(chain.kind, nLines, cache));
    for (const content of contents) {
      const group: ParseBenchRow[] = [];
      for (const engine of engines) {
        const r = runOne(chain, content, engine, lines, hub);
        group.push(r);
        rows.push(r);
        if (!o.json)
          process.stderr.write(
            `${r.chain} ${r.content} ${r.engine}: ${Math.round(r.linesPerSecond)} lines/s parsed ${r.parsed} unparsed ${r.unparsed} hash ${r.hash}\n`,
          );
      }
      const ref = group[0];
      for (const r of group) {
        if (
          ref &&
          (r.hash !== ref.hash || r.parsed !== ref.parsed || r.unparsed !== ref.unparsed || r.errors !== ref.errors)
        ) {
          bad++;
          process.stderr.write(`MISMATCH ${chain.kind}/${content}: engine ${r.engine} differs from ${ref.engine}\n`);
        }
      }
    }
  }
  const cmd = `node dist/bench/parse.bench.js ${argv.join(' ')}`.trim();
  const table = formatTable(rows);
  if (o.json) process.stdout.write(JSON.stringify({ machine: machine(), rows, mismatches: bad }, null, 1) + '\n');
  else
    process.stdout.write(
      `parse throughput (single thread, ${machine()})\n${table}\n${bad ? `MISMATCHES: ${bad}` : 'all engines agree'}\n`,
    );
  if (o.write) {
    const body = [
      '## Parse throughput',
      '',
      `Single-thread parse throughput (Event construction + ParserTree.parse; hashing excluded) on ${nLines.toLocaleString('en-US')} generated lines`,
      `(\`node ${GEN} --kind ssh|nginx --lines ${nLines} --seed 1\`); ssh lines use type syslog, nginx lines type nginx.`,
      "picket = the repository's parsers/; hub = syslog-logs + sshd-logs + dateparse-enrich (ssh) or",
      "syslog-logs (non-syslog) + nginx-logs + http-logs + dateparse-enrich (nginx). `hash` covers every event's",
      'result and Parsed/Meta maps: identical hashes = identical parse results across engines.',
      'Engines: `re2` = RE2 decides and extracts (the default before the safe engine: the "before" numbers);',
      '`safe` = the default now (RE2 decides; a JS RegExp extracts only for patterns proven linear by',
      'src/grok/safety.ts, ASCII inputs <= 4096 chars; trailing GREEDYDATA split off RE2 extraction);',
      '`hybrid` and `js` = comparison only (no linear-time guarantee).',
      '',
      `- command: \`npx tsc -p tsconfig.json && ${cmd}\``,
      `- machine: ${machine()}`,
      `- date: ${new Date().toISOString()}`,
      `- engines agree: ${bad === 0 ? 'yes' : `NO (${bad} mismatches)`}`,
      '',
      table,
      '',
    ].join('\n');
    writeSection(o.write, body);
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
