// `picket run`'s memory with and without the offline GeoIP/AS enrichment of the default content (issue 14):
// starts `picket run` (agent + in-process LAPI, --no-rdns, --metrics off) on a log file, appends sshd lines from
// N public addresses (spread over the IPv4 space: GeoIP records all over the databases), waits until every
// line is read (the run's own one-line summary, every second, says `total N lines`), then reads VmRSS /
// VmHWM of the process (every thread) from /proc. "without" is the default content minus
// parsers/s02-enrich/picket/geoip-enrich.yaml (the databases are opened on the first lookup, so none is loaded).
// Usage: node dist/bench/run-rss.bench.js [--lines 20000] [--workers 0,2]
// Owns: this measurement only.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/picket.js');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const LINES = Number(arg('--lines', '20000'));
const WORKERS = arg('--workers', '0,2').split(',');

function status(pid: number): { rss: number; hwm: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function syslogNow(): string {
  const d = new Date();
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** a public-looking IPv4 address per line (first octet 1..223 except 10, 127, 172, 192) */
function lines(n: number): string {
  let s = '';
  const now = syslogNow();
  for (let i = 0; i < n; i++) {
    let a = 1 + ((i * 7919) % 222);
    if (a === 10 || a === 127 || a === 172 || a === 192) a++;
    const ip = `${a}.${(i * 31) & 255}.${(i * 17) & 255}.${1 + (i % 250)}`;
    s += `${now} web01 sshd[${i}]: Failed password for root from ${ip} port ${40000 + (i % 20000)} ssh2\n`;
  }
  return s;
}

function contentWithoutGeo(dir: string): string {
  const c = path.join(dir, 'content');
  fs.cpSync(path.join(ROOT, 'parsers'), path.join(c, 'parsers'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'scenarios'), path.join(c, 'scenarios'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'postoverflows'), path.join(c, 'postoverflows'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'data'), path.join(c, 'data'), { recursive: true });
  fs.rmSync(path.join(c, 'parsers/s02-enrich/picket/geoip-enrich.yaml'));
  return c;
}

async function measure(geo: boolean, workers: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-rss-'));
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const args = [BIN, 'run', '--acquis', acquis, '--workers', workers, '--no-rdns', '--metrics', 'off'];
  args.push('--listen', '127.0.0.1:0', '--data', path.join(dir, 'data'), '--summary', '1', '--poll', '50');
  if (!geo) args.push('--content', contentWithoutGeo(dir));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const t0 = Date.now();
  const wait = async (re: RegExp, what: string): Promise<void> => {
    while (!re.test(err)) {
      if (Date.now() - t0 > 600_000 || child.exitCode !== null) throw new Error(`no ${what}:\n${err}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await wait(/watching/, 'start');
  const idle = status(child.pid!);
  fs.appendFileSync(log, lines(LINES));
  // the summary line counts lines read in total; wait for all of them
  await wait(new RegExp(`total ${LINES} lines`), 'end of input');
  await new Promise((r) => setTimeout(r, 2000));
  const end = status(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
  const f = (n: number): string => `${n.toFixed(0)} MB`;
  return `| ${geo ? 'default content (GeoIP/AS)' : 'without geoip-enrich'} | ${workers} | ${LINES} | ${f(idle.rss)} | ${f(end.rss)} | ${f(end.hwm)} |`;
}

console.log(
  `picket run RSS, ${LINES} sshd lines from as many addresses; node ${process.version}, nproc ${os.cpus().length}`,
);
console.log('| content | workers | lines | RSS idle | RSS after | peak (VmHWM) |');
console.log('|---|---|---|---|---|---|');
for (const w of WORKERS) {
  for (const geo of [false, true]) console.log(await measure(geo, w));
}
