import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run', '--acquis', acquis, '--data', path.join(dir, 'data'),
    '--workers', workers, '--poll', '50', '--metrics', '127.0.0.1:0', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
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
    const exited = new Promise<number | null>((r) => { if (child.exitCode !== null) r(child.exitCode); else child.once('exit', (c) => r(c)); });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
    const code = await exited;
    clearTimeout(killer);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, `exit code ${code}\nstderr:${err}`);
  }
}

for (const workers of ['0', '2']) {
  test(`picket run --metrics serves counters matching the lines appended (--workers ${workers})`, async () => {
    await withAgent(workers, async (url, log) => {
      const first = await scrape(url);
      assert.equal(first.status, 200);
      assert.match(first.type ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(first.text, /^cs_info\{version="picket-v[^"]+"\} 0$/m);
      assert.equal((await scrape(url.replace(/\/metrics$/, '/other'))).status, 404);

      const now = syslogTime(new Date());
      const ssh = Array.from({ length: 6 }, (_, i) => `${now} web01 sshd[100]: Failed password for root from 198.51.100.${10 + i} port ${4000 + i} ssh2`);
      const junk = ['this is not a syslog line', 'neither is this one'];
      fs.appendFileSync(log, [...ssh, ...junk].join('\n') + '\n');
      const src = `{source="${log}",type="file"}`;

      let text = '';
      const deadline = Date.now() + 20000;
      for (;;) {
        text = (await scrape(url)).text;
        if (sample(text, 'cs_parser_hits_total', src) === 8) break;
        if (Date.now() > deadline) assert.fail(`counters never reached 8 lines:\n${text}`);
        await sleep(200);
      }
      assert.equal(sample(text, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`), 8);
      assert.equal(sample(text, 'cs_parser_hits_ok_total', src), 6);
      assert.equal(sample(text, 'cs_parser_hits_ko_total', src), 2);
      // every parsed line is poured into the ssh brute-force scenario
      assert.equal(sum(text, 'cs_bucket_poured_total', /\/ssh-bf"/), 6, text);
      assert.ok(sum(text, 'cs_node_hits_total', /stage="s01-parse"/) >= 8);
      assert.equal(sample(text, 'picket_parser_errors_total'), 0);
      assert.notEqual(sample(text, 'picket_pipeline_queue_depth'), null);
      assert.notEqual(sample(text, 'picket_buckets_live'), null);
      if (workers !== '0') {
        const u = sample(text, 'picket_worker_utilization');
        assert.ok(u !== null && u >= 0 && u <= 1, `utilization ${u}`);
      }

      // later scrapes (past the 1 s snapshot cache) report the same totals: nothing counted twice
      await sleep(1200);
      const again = (await scrape(url)).text;
      for (const [n, l] of [['cs_parser_hits_total', src], ['cs_parser_hits_ok_total', src], ['cs_parser_hits_ko_total', src]] as const) {
        assert.equal(sample(again, n, l), sample(text, n, l), `${n}${l} changed`);
      }
      assert.equal(sum(again, 'cs_node_hits_total'), sum(text, 'cs_node_hits_total'));
      assert.equal(sum(again, 'cs_bucket_poured_total'), sum(text, 'cs_bucket_poured_total'));
      assert.equal(sample(again, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`), 8);

      // more lines: counters go on from the previous totals
      fs.appendFileSync(log, junk.join('\n') + '\n');
      const d2 = Date.now() + 20000;
      for (;;) {
        await sleep(1100);
        const t3 = (await scrape(url)).text;
        if (sample(t3, 'cs_parser_hits_total', src) === 10) {
          assert.equal(sample(t3, 'cs_parser_hits_ko_total', src), 4);
          assert.equal(sample(t3, 'cs_parser_hits_ok_total', src), 6);
          assert.equal(sample(t3, 'cs_filesource_hits_total', `{source="${log}",datasource_type="file",acquis_type="syslog"}`), 10);
          break;
        }
        if (Date.now() > d2) assert.fail(`counters never reached 10 lines:\n${t3}`);
      }
    });
  });
}
