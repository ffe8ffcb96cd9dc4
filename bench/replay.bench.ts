// End-to-end replay benchmark: `picket replay` on 1M-line sshd and nginx logs from shared/tools/gen-logs.mjs,
// with Picket's default content and with the hub content (an assembled --content folder of symlinks into
// ../shared/hub), in-process and with the worker pool. Each run is a child process so its peak RSS is its
// own: `/usr/bin/time -v` when present, else the child's process.resourceUsage().maxRSS (replay --json).
// Owns: bench/replay.bench.ts only.
//
//   node dist/bench/replay.bench.js [--lines 1000000] [--workers 0,2] [--dir /tmp/picket-replay-bench]
//        [--hub ../shared/hub] [--only ssh|nginx] [--content default,hub,debian] [--crowdsec]
//        [--cs-nginx-lines 100000] [--json]
//
// `--content debian` = the items Debian's crowdsec package enables (../shared/peers/crowdsec.sh cs_setup + cs_content),
// i.e. exactly what CrowdSec 1.4.6 runs. `--crowdsec` also replays the same file(s) with CrowdSec 1.4.6 on that
// content (its LAPI on 127.0.0.1, `crowdsec -dsn file://… -no-api`) in the same run and prints the ratios of
// whole-process lines/s (wall clock, start-up included, as ../shared/peers/README.md measures). CrowdSec needs
// ~170 s per 100k nginx lines here, so its nginx run reads the first --cs-nginx-lines lines of the same log.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkers } from '../src/pipeline/pool.js';
import { picketArgv } from './picket-bin.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GEN = path.resolve(ROOT, '../shared/tools/gen-logs.mjs');

interface Row {
  log: string;
  content: string;
  workers: number;
  lines: number;
  parsed: number;
  alerts: number;
  seconds: number;
  linesPerSecond: number;
  wallSeconds: number;
  userSeconds: number | null;
  maxRssMB: number;
}

/** The hub items of each log kind (stage/author/file under the hub's parsers/ and scenarios/). */
const HUB_ITEMS: Record<string, { parsers: string[]; scenarios: string[] }> = {
  ssh: {
    parsers: [
      's00-raw/crowdsecurity/syslog-logs.yaml',
      's01-parse/crowdsecurity/sshd-logs.yaml',
      's02-enrich/crowdsecurity/dateparse-enrich.yaml',
    ],
    scenarios: [
      'crowdsecurity/ssh-bf.yaml',
      'crowdsecurity/ssh-slow-bf.yaml',
      'crowdsecurity/ssh-refused-conn.yaml',
      'crowdsecurity/ssh-cve-2024-6387.yaml',
    ],
  },
  nginx: {
    // syslog-logs.yaml holds both crowdsecurity/syslog-logs and crowdsecurity/non-syslog
    parsers: [
      's00-raw/crowdsecurity/syslog-logs.yaml',
      's01-parse/crowdsecurity/nginx-logs.yaml',
      's02-enrich/crowdsecurity/dateparse-enrich.yaml',
      's02-enrich/crowdsecurity/http-logs.yaml',
    ],
    scenarios: [
      'http-probing.yaml',
      'http-crawl-non_statics.yaml',
      'http-bad-user-agent.yaml',
      'http-path-traversal-probing.yaml',
      'http-sensitive-files.yaml',
      'http-xss-probing.yaml',
      'http-open-proxy.yaml',
      'http-backdoors-attempts.yaml',
      'http-generic-bf.yaml',
      'http-wordpress-scan.yaml',
    ].map((f) => `crowdsecurity/${f}`),
  },
};

/** A --content folder of symlinks: parsers/<stage>/<author>/x.yaml, scenarios/<author>/x.yaml, patterns, data. */
export function assembleHubContent(hub: string, kind: string, into: string): string {
  const items = HUB_ITEMS[kind]!;
  fs.rmSync(into, { recursive: true, force: true });
  const link = (rel: string, sub: string) => {
    const src = path.join(hub, sub, rel);
    if (!fs.existsSync(src)) throw new Error(`hub item ${src} not found`);
    const dst = path.join(into, sub, rel);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.symlinkSync(src, dst);
  };
  for (const p of items.parsers) link(p, 'parsers');
  for (const s of items.scenarios) if (fs.existsSync(path.join(hub, 'scenarios', s))) link(s, 'scenarios');
  fs.symlinkSync(path.join(hub, 'patterns'), path.join(into, 'patterns'));
  fs.symlinkSync(path.join(hub, 'data'), path.join(into, 'data'));
  return into;
}

const PEERS = path.resolve(ROOT, '../shared/peers/crowdsec.sh');
const CS_PORT = 18190;

/** CrowdSec 1.4.6's isolated setup (peers/crowdsec.sh) and the same items laid out as a Picket --content folder. */
function debianContent(dir: string): { csDir: string; content: string } {
  const csDir = path.join(dir, 'crowdsec');
  const content = path.join(dir, 'content-debian');
  if (!fs.existsSync(path.join(csDir, 'config.yaml')) || !fs.existsSync(content)) {
    const r = spawnSync(
      'bash',
      ['-c', `set -e; source "${PEERS}"; cs_setup "${csDir}" ${CS_PORT}; cs_content "${content}"`],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`cs_setup failed: ${r.stderr.slice(-1000)}`);
  }
  return { csDir, content };
}

interface PeerRow {
  log: string;
  lines: number;
  alerts: number;
  wallSeconds: number;
  linesPerSecond: number;
  maxRssMB: number;
}

/** One Picket configuration on Debian's items against CrowdSec 1.4.6 (main's ratios). */
interface Ratio {
  kind: string;
  workers: number;
  isDefault: boolean;
  crowdsec: PeerRow;
  picket: Row;
  ratio: number;
  same: Row;
  memoryRatio: number;
}

/** Replays `log` with CrowdSec 1.4.6 (its LAPI started and stopped around it); null when crowdsec is not installed. */
function runCrowdSec(csDir: string, log: string, type: string, lines: number): PeerRow | null {
  if (spawnSync('sh', ['-c', 'command -v crowdsec && command -v cscli']).status !== 0) return null;
  const script = `set -e; source "${PEERS}"; CSDIR="${csDir}"; CSPORT=${CS_PORT}; cs_lapi_start || { echo "LAPI did not start" >&2; exit 3; }
    set +e
    /usr/bin/time -v crowdsec -c "${csDir}/config.yaml" -dsn "file://${log}" -type ${type} -no-api > "${csDir}/logs/replay.out" 2> "${csDir}/logs/replay.err" || true
    grep -c "performed '" "${csDir}/logs/replay.out" "${csDir}/logs/replay.err" || true
    grep -E "Maximum resident|Elapsed" "${csDir}/logs/replay.err"
    cs_lapi_stop; exit 0`;
  const t0 = Date.now();
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`crowdsec replay failed (${r.status}): ${r.stderr.slice(-1500)}`);
  const alerts = [...r.stdout.matchAll(/:(\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stdout);
  const el = /Elapsed \(wall clock\) time[^:]*: (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stdout);
  const secs = el ? Number(el[1] ?? 0) * 3600 + Number(el[2]) * 60 + Number(el[3]) : wall;
  return {
    log: path.basename(log),
    lines,
    alerts,
    wallSeconds: secs,
    linesPerSecond: lines / secs,
    maxRssMB: rss ? Number(rss[1]) / 1024 : NaN,
  };
}

function headLines(src: string, n: number, dst: string): string {
  if (fs.existsSync(dst)) return dst;
  const r = spawnSync('sh', ['-c', `head -n ${n} "${src}" > "${dst}"`]);
  if (r.status !== 0) throw new Error(`head ${src} failed`);
  return dst;
}

function haveGnuTime(): boolean {
  if (!fs.existsSync('/usr/bin/time')) return false;
  const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
}

function runOne(
  log: string,
  type: string,
  content: string | null,
  workers: number,
  gnuTime: boolean,
): Omit<Row, 'log' | 'content'> {
  const args = picketArgv([
    'replay',
    '--file',
    log,
    '--type',
    type,
    '--year',
    '2025',
    '--workers',
    String(workers),
    '--json',
  ]);
  if (content) args.push('--content', content);
  const cmd = gnuTime ? '/usr/bin/time' : process.execPath;
  const argv = gnuTime ? ['-v', process.execPath, ...args] : args;
  const t0 = Date.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`replay failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const j = JSON.parse(r.stdout) as {
    lines: number;
    parsed: number;
    alerts: unknown[];
    seconds: number;
    lines_per_second: number;
    max_rss_kb: number;
  };
  let rssKb = j.max_rss_kb;
  let user: number | null = null;
  if (gnuTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (m) rssKb = Number(m[1]);
    const u = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
    const s = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
    if (u) user = Number(u[1]) + (s ? Number(s[1]) : 0);
  }
  return {
    workers,
    lines: j.lines,
    parsed: j.parsed,
    alerts: j.alerts.length,
    seconds: j.seconds,
    linesPerSecond: j.lines_per_second,
    wallSeconds: wall,
    userSeconds: user,
    maxRssMB: rssKb / 1024,
  };
}

/** The bench's options (--name value, --json, --crowdsec); null after --help. */
function benchArgs(argv: string[]): Record<string, string> | null {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      o.json = '1';
      continue;
    }
    if (a === '--crowdsec') {
      o.crowdsec = '1';
      continue;
    }
    if (a === '-h' || a === '--help') {
      process.stdout.write(
        'usage: replay.bench [--lines N] [--workers 0,2] [--dir DIR] [--hub DIR] [--only ssh|nginx] [--content default,hub,debian] [--crowdsec] [--cs-nginx-lines N] [--json]\n',
      );
      return null;
    }
    o[a.replace(/^--/, '')] = argv[++i] ?? '';
  }
  return o;
}

/** The rows as a text table, then each Picket configuration against CrowdSec 1.4.6. */
function printRows(rows: Row[], ratios: Ratio[], gnuTime: boolean): void {
  const head = [
    'log',
    'content',
    'workers',
    'lines',
    'parsed',
    'alerts',
    'replay s',
    'lines/s',
    'wall s',
    'cpu s',
    'max RSS MB',
  ];
  const body = rows.map((r) => [
    r.log,
    r.content,
    r.workers === 0 ? '0' : `${r.workers}+main`,
    String(r.lines),
    String(r.parsed),
    String(r.alerts),
    r.seconds.toFixed(2),
    String(Math.round(r.linesPerSecond)),
    r.wallSeconds.toFixed(2),
    r.userSeconds === null ? '-' : r.userSeconds.toFixed(2),
    r.maxRssMB.toFixed(0),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  process.stdout.write([fmt(head), fmt(w.map((n) => '-'.repeat(n))), ...body.map(fmt)].join('\n') + '\n');
  for (const x of ratios) {
    const pk = x.picket,
      sm = x.same;
    process.stdout.write(
      `${x.kind}, Debian items, Picket workers=${x.workers}${x.isDefault ? ' (replay default here)' : ''}: ` +
        `${Math.round(pk.lines / pk.wallSeconds)} lines/s wall (${pk.lines} lines) vs CrowdSec 1.4.6 ${Math.round(x.crowdsec.linesPerSecond)} ` +
        `(${x.crowdsec.lines} lines): x${x.ratio.toFixed(1)} | peak RSS on the ${sm.lines}-line file: Picket ${sm.maxRssMB.toFixed(0)} MB ` +
        `(${sm.alerts} alerts) vs CrowdSec ${x.crowdsec.maxRssMB.toFixed(0)} MB (${x.crowdsec.alerts} alerts): x${x.memoryRatio.toFixed(2)}\n`,
    );
  }
  process.stdout.write(
    `(${os.cpus().length} cpus, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; RSS via ${gnuTime ? '/usr/bin/time -v' : 'process.resourceUsage'})\n`,
  );
}

function main(argv: string[]): number {
  const o = benchArgs(argv);
  if (o === null) return 0;
  const lines = Number(o.lines ?? 1000000);
  // default: in-process (the replay's default on two cores), and a pool of cores - 1 workers beside the main
  // thread, which parses a shard too (the replay's default on more cores)
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const workers = (o.workers ?? `0,${Math.max(1, cores - 1)}`).split(',').map(Number);
  const dir = o.dir ?? path.join(os.tmpdir(), 'picket-replay-bench');
  const hub = path.resolve(o.hub ?? path.join(ROOT, '../shared/hub'));
  const kinds = o.only ? [o.only] : ['ssh', 'nginx'];
  const contents = (o.content ?? (o.crowdsec ? 'default,hub,debian' : 'default,hub')).split(',');
  fs.mkdirSync(dir, { recursive: true });
  const gnuTime = haveGnuTime();
  const rows: Row[] = [];
  const peers: Array<PeerRow & { kind: string; same: Row[] }> = [];
  const debian = contents.includes('debian') || o.crowdsec ? debianContent(dir) : null;
  const csNginxLines = Number(o['cs-nginx-lines'] ?? 100000);
  for (const kind of kinds) {
    const log = path.join(dir, `${kind}-${lines}.log`);
    if (!fs.existsSync(log)) {
      if (!fs.existsSync(GEN)) {
        process.stderr.write(`${GEN} not found\n`);
        return 1;
      }
      const g = spawnSync(
        process.execPath,
        [GEN, '--kind', kind, '--lines', String(lines), '--seed', '1', '--out', log],
        { stdio: 'inherit' },
      );
      if (g.status !== 0) return 1;
    }
    const type = kind === 'nginx' ? 'nginx' : 'syslog';
    for (const c of contents) {
      const contentDir =
        c === 'hub'
          ? assembleHubContent(hub, kind, path.join(dir, `content-${kind}`))
          : c === 'debian'
            ? debian!.content
            : null;
      for (const w of workers) {
        const r = runOne(log, type, contentDir, w, gnuTime);
        rows.push({ log: path.basename(log), content: c, ...r });
        process.stderr.write(
          `${kind} ${c} workers=${w}: ${Math.round(r.linesPerSecond)} lines/s, ${r.maxRssMB.toFixed(0)} MB\n`,
        );
      }
    }
    if (o.crowdsec) {
      const csLog =
        kind === 'nginx' && csNginxLines < lines
          ? headLines(log, csNginxLines, path.join(dir, `${kind}-${csNginxLines}.log`))
          : log;
      const p = runCrowdSec(debian!.csDir, csLog, type, kind === 'nginx' ? Math.min(csNginxLines, lines) : lines);
      if (p === null)
        process.stderr.write('crowdsec/cscli not installed (apt-get install crowdsec): CrowdSec side skipped\n');
      else {
        // CrowdSec read a shorter file: Picket also replays that very file, so memory (and alerts) compare like
        // for like
        const same: Row[] = [];
        if (csLog !== log) {
          for (const w of workers) {
            const r: Row = {
              log: path.basename(csLog),
              content: 'debian',
              ...runOne(csLog, type, debian!.content, w, gnuTime),
            };
            same.push(r);
            rows.push(r);
          }
        }
        peers.push({ kind, ...p, same });
        process.stderr.write(
          `${kind} crowdsec-1.4.6: ${Math.round(p.linesPerSecond)} lines/s, ${p.maxRssMB.toFixed(0)} MB, ${p.alerts} alerts\n`,
        );
      }
    }
  }
  // per Picket configuration: lines/s on the long log vs CrowdSec's on its (maybe shorter) log, and peak memory
  // on the very file CrowdSec read (the long one, or the shorter one Picket replayed too)
  const ratios: Ratio[] = peers.flatMap((p) =>
    rows
      .filter((r) => r.content === 'debian' && r.log === `${p.kind}-${lines}.log`)
      .map((pk) => {
        const same = p.same.find((r) => r.workers === pk.workers) ?? pk;
        return {
          kind: p.kind,
          workers: pk.workers,
          isDefault: pk.workers === defaultWorkers(true),
          crowdsec: p,
          picket: pk,
          ratio: pk.lines / pk.wallSeconds / p.linesPerSecond,
          same,
          memoryRatio: same.maxRssMB / p.maxRssMB,
        };
      }),
  );
  if (o.json) {
    process.stdout.write(JSON.stringify({ rows, crowdsec: ratios }, null, 1) + '\n');
    return 0;
  }
  printRows(rows, ratios, gnuTime);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
