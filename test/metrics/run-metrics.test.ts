import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceModule } from '../../src/acquisition/sources.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/picket.js');

function syslogTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** value of one sample line (exact label set as printed), or null */
function sample(text: string, name: string, labels = ''): number | null {
  for (const l of text.split('\n')) {
    if (l.startsWith(`${name}${labels} `)) return Number(l.slice(name.length + labels.length + 1));
  }
  return null;
}

function sum(text: string, name: string, labelFilter: RegExp = /.*/): number {
  let s = 0;
  for (const l of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(l);
    if (m && m[1] === name && labelFilter.test(m[2] ?? '')) s += Number(m[3]);
  }
  return s;
}

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

async function withAgent(workers: string, body: (url: string, log: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-metrics-'));
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--acquis',
      acquis,
      '--data',
      path.join(dir, 'data'),
      '--workers',
      workers,
      '--poll',
      '50',
      '--metrics',
      '127.0.0.1:0',
      '--listen',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout!.resume();
  try {
    const deadline = Date.now() + 30000;
    let url: string | null = null;
    while (!url) {
      const m = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(err);
      if (m && /watching/.test(err)) url = m[1]!;
      else if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no metrics address\nstderr:${err}`);
      else await sleep(50);
    }
    await body(url, log);
  } finally {
    const exited = new Promise<number | null>((r) => {
      if (child.exitCode !== null) r(child.exitCode);
      else child.once('exit', (c) => r(c));
    });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
    const code = await exited;
    clearTimeout(killer);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `exit code ${code}\nstderr:${err}`);
  }
}

function picket(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    c.on('close', (code) => resolve({ code, out, err }));
  });
}

/** `picket metrics` reads the page: cscli's acquisition / scenario / parser tables, -o json, show SECTION */
async function checkMetricsCommand(url: string, log: string): Promise<void> {
  const j = await picket(['metrics', '--url', url, '-o', 'json']);
  assert.equal(j.code, 0, j.err);
  const data = JSON.parse(j.out) as Record<string, Array<Record<string, string | number>>>;
  const acq = data.acquisition!.find((r) => r.Source === `file:${log}`);
  // as in cscli, "poured" counts each event once per scenario it went into
  const poured = data.scenarios!.reduce((n, r) => n + Number(r.Poured), 0);
  assert.ok(poured >= 6, j.out);
  assert.deepEqual(
    acq,
    {
      Source: `file:${log}`,
      'Lines read': 8,
      'Lines parsed': 6,
      'Lines unparsed': 2,
      'Lines poured to bucket': poured,
    },
    j.out,
  );
  const ssh = data.scenarios!.find((r) => /ssh-bf$/.test(String(r.Scenario)));
  assert.equal(ssh?.Poured, 6, j.out);
  assert.equal(ssh?.Instantiated, 6, j.out);
  assert.equal(ssh?.['Current Count'], 6, j.out);
  assert.ok(
    data.parsers!.some((r) => r.Parsers === 'picket/sshd-logs' && r.Parsed === 6),
    j.out,
  );
  const h = await picket(['metrics', 'show', 'acquisition', 'scenarios', '--url', url]);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /^Acquisition Metrics:\n╭─+┬/m);
  assert.match(h.out, /│ Source +│ Lines read │ Lines parsed │ Lines unparsed │ Lines poured to bucket │/);
  assert.match(h.out, /Scenario Metrics:/);
  assert.doesNotMatch(h.out, /Parser Metrics/);
  const bad = await picket(['metrics', 'show', 'nothing', '--url', url]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown section nothing/);
}

interface DashboardSeries {
  name: string;
  labels: string[];
  dashboards: string[];
}
const FIXTURE = path.join(ROOT, 'test/metrics/fixtures/grafana-v5-series.json');
/** acquisition families of sources this test does not configure: checked against the sources' counter defs */
const UNCONFIGURED: Record<string, string> = {
  cs_journalctlsource_hits_total: 'journalctl',
  cs_syslogsource_hits_total: 'syslog',
};
/** sources Picket does not implement */
const ABSENT = new Set(['cs_cloudwatch_stream_hits_total']);

/** every series and label the CrowdSec Grafana dashboards v5 query is in the scrape (or in a source's defs) */
function checkDashboardSeries(text: string): void {
  const series = (JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { series: DashboardSeries[] }).series;
  assert.ok(series.length >= 20, "fixture lists the dashboards' series");
  for (const s of series) {
    if (ABSENT.has(s.name)) continue;
    const mod = UNCONFIGURED[s.name];
    if (mod !== undefined) {
      const def = sourceModule(mod)?.counters.find((c) => c.name === s.name);
      assert.ok(def, `${s.name}: no counter in the ${mod} source`);
      for (const l of s.labels) assert.ok(def.labelNames.includes(l), `${s.name}: label ${l} missing`);
      continue;
    }
    const family = s.name.replace(/_bucket$/, '');
    assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), `${family} (${s.dashboards.join(', ')}) not exposed`);
    const lines = text.split('\n').filter((l) => l.startsWith(`${s.name}{`) || l.startsWith(`${s.name} `));
    // LAPI gauges filled from the store have no sample without decisions/alerts; the agent's families do
    if (!/^cs_(active_decisions|alerts|lapi_)/.test(s.name)) assert.ok(lines.length > 0, `${s.name}: no sample`);
    for (const l of lines) {
      for (const label of s.labels)
        assert.match(l, new RegExp(`[{,]${label}="`), `${s.name}: label ${label} missing in ${l}`);
    }
  }
}

for (const workers of ['0', '2']) {
  test(`picket run --metrics serves counters matching the lines appended (--workers ${workers})`, async () => {
    await withAgent(workers, async (url, log) => {
      const first = await scrape(url);
      assert.equal(first.status, 200);
      assert.match(first.type ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(first.text, /^cs_info\{version="picket-v[^"]+"\} 1$/m);
      assert.equal((await scrape(url.replace(/\/metrics$/, '/other'))).status, 404);

      const now = syslogTime(new Date());
      const ssh = Array.from(
        { length: 6 },
        (_, i) => `${now} web01 sshd[100]: Failed password for root from 198.51.100.${10 + i} port ${4000 + i} ssh2`,
      );
      const junk = ['this is not a syslog line', 'neither is this one'];
      fs.appendFileSync(log, [...ssh, ...junk].join('\n') + '\n');
      const src = `{source="${log}",type="file"}`;
      // ok/ko, per node: CrowdSec's acquis_type label too (the acquisition's labels.type)
      const srcAt = `{source="${log}",type="file",acquis_type="syslog"}`;

      let text: string;
      const deadline = Date.now() + 20000;
      for (;;) {
        text = (await scrape(url)).text;
        if (sample(text, 'cs_parser_hits_total', src) === 8) break;
        if (Date.now() > deadline) assert.fail(`counters never reached 8 lines:\n${text}`);
        await sleep(200);
      }
      assert.equal(
        sample(text, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`),
        8,
      );
      assert.equal(sample(text, 'cs_parser_hits_ok_total', srcAt), 6);
      assert.equal(sample(text, 'cs_parser_hits_ko_total', srcAt), 2);
      // every parsed line is poured into the ssh brute-force scenario
      assert.equal(sum(text, 'cs_bucket_poured_total', /\/ssh-bf"/), 6, text);
      assert.ok(sum(text, 'cs_node_hits_total', /stage="s01-parse"/) >= 8);
      const nodeLabels = new RegExp(
        `^\\{source="${log}",type="file",name="[^"]+",stage="s01-parse",acquis_type="syslog"\\}$`,
      );
      assert.ok(sum(text, 'cs_node_hits_total', nodeLabels) >= 8, text);
      assert.equal(sample(text, 'picket_parser_errors_total'), 0);
      if (workers === '0') {
        checkDashboardSeries(text);
        await checkMetricsCommand(url, log);
      }
      assert.notEqual(sample(text, 'picket_pipeline_queue_depth'), null);
      assert.notEqual(sample(text, 'picket_buckets_live'), null);
      if (workers !== '0') {
        const u = sample(text, 'picket_worker_utilization');
        assert.ok(u !== null && u >= 0 && u <= 1, `utilization ${u}`);
      }

      // later scrapes (past the 1 s snapshot cache) report the same totals: nothing counted twice
      await sleep(1200);
      const again = (await scrape(url)).text;
      for (const [n, l] of [
        ['cs_parser_hits_total', src],
        ['cs_parser_hits_ok_total', srcAt],
        ['cs_parser_hits_ko_total', srcAt],
      ] as const) {
        assert.equal(sample(again, n, l), sample(text, n, l), `${n}${l} changed`);
      }
      assert.equal(sum(again, 'cs_node_hits_total'), sum(text, 'cs_node_hits_total'));
      assert.equal(sum(again, 'cs_bucket_poured_total'), sum(text, 'cs_bucket_poured_total'));
      assert.equal(
        sample(again, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`),
        8,
      );

      // more lines: counters go on from the previous totals
      fs.appendFileSync(log, junk.join('\n') + '\n');
      const d2 = Date.now() + 20000;
      for (;;) {
        await sleep(1100);
        const t3 = (await scrape(url)).text;
        if (sample(t3, 'cs_parser_hits_total', src) === 10) {
          assert.equal(sample(t3, 'cs_parser_hits_ko_total', srcAt), 4);
          assert.equal(sample(t3, 'cs_parser_hits_ok_total', srcAt), 6);
          assert.equal(
            sample(t3, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`),
            10,
          );
          break;
        }
        if (Date.now() > d2) assert.fail(`counters never reached 10 lines:\n${t3}`);
      }
    });
  });
}
