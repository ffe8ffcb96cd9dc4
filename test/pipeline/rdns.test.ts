// Reverse DNS in `picket replay` and `picket run` against a DNS responder on loopback (test/enrich/dns-server.ts):
// a crawler whose address has a googlebot.com PTR name is whitelisted by the seo-bots whitelist (Picket's default
// content, and the hub's crowdsecurity/rdns + crowdsecurity/seo-bots-whitelist unchanged) and never banned,
// while another address is; `decisions list` / `alerts list` show country and AS out of the box; an overflow
// whose lookup times out does not hold the lines and alerts of another source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, eventually, picket, startPicket, tempDir } from '../cli/helpers.js';
import { arpaName, startDnsServer, type DnsServer } from '../enrich/dns-server.js';
import { createPipeline } from '../../src/pipeline/pool.js';
import { createAgentRegistry } from '../../src/metrics/registry.js';

const CRAWLER = '66.249.66.1';
const CRAWLER_PTR = 'crawl-66-249-66-1.googlebot.com';
const ATTACKER = '8.8.4.4'; // NXDOMAIN on the test server; US / AS15169 in the shipped GeoIP data

function sshLines(ip: string, n = 7, stamp?: string): string {
  let s = '';
  for (let i = 1; i <= n; i++) {
    const t = stamp ?? `Dec  7 10:00:0${i}`;
    s += `${t} web01 sshd[${100 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2\n`;
  }
  return s;
}

function syslogNow(): string {
  const d = new Date();
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

interface ReplayJson {
  alerts_by_scenario: Record<string, number>;
  alerts: Array<{ source: { ip: string; cn?: string; as_number?: string } }>;
}

async function replay(file: string, args: string[]): Promise<ReplayJson> {
  const r = await picket(['replay', '--file', file, '--type', 'syslog', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ReplayJson;
}

async function withDns<T>(f: (srv: DnsServer) => Promise<T>, drop: string[] = []): Promise<T> {
  const srv = await startDnsServer({ ptr: { [CRAWLER]: CRAWLER_PTR }, drop });
  try {
    return await f(srv);
  } finally {
    await srv.close();
  }
}

test('pipeline (in-process): the crawler overflow waits for its lookup and is dropped; picket_rdns_* metrics', () =>
  withDns(async (srv) => {
    const alerts: string[] = [];
    const pipe = await createPipeline({
      timeMachine: true,
      workers: 0,
      year: 2026,
      rdns: { servers: [srv.addr] },
      onAlert: (a) => alerts.push(a.source.ip),
    });
    pipe.push((sshLines(CRAWLER) + sshLines(ATTACKER)).trimEnd().split('\n'), {
      src: 'auth.log',
      module: 'file',
      labels: { type: 'syslog' },
    });
    const c = await pipe.finish();
    assert.deepEqual(alerts, [ATTACKER]);
    assert.equal(c.overflowsWhitelisted, 1);
    const text = await createAgentRegistry({ snapshot: () => pipe.metrics() }).metrics();
    assert.match(text, /^picket_rdns_lookups_total 2$/m);
    assert.match(text, /^picket_rdns_failures_total 1$/m);
    assert.match(text, /^picket_rdns_timeouts_total 0$/m);
    assert.match(text, /^picket_rdns_cache_hits_total [1-9]\d*$/m);
  }));

for (const workers of ['0', '1']) {
  test(`picket replay (--workers ${workers}, default content): the crawler is whitelisted by its PTR name`, () =>
    withDns(async (srv) => {
      const dir = tempDir('picket-rdns-');
      const log = path.join(dir, 'auth.log');
      fs.writeFileSync(log, sshLines(CRAWLER) + sshLines(ATTACKER));
      const r = await replay(log, ['--workers', workers, '--dns-server', srv.addr]);
      assert.deepEqual(
        r.alerts.map((a) => a.source.ip),
        [ATTACKER],
      );
      assert.equal(r.alerts[0]!.source.cn, 'US');
      assert.equal(r.alerts[0]!.source.as_number, '15169');
      assert.equal(srv.queries.get(arpaName(CRAWLER)), 1);
      assert.equal(srv.queries.get(arpaName(ATTACKER)), 1);
      if (workers !== '0') return;
      // off by an explicit setting: nothing whitelists the crawler, and no query is sent
      const before = srv.queries.get(arpaName(CRAWLER));
      const off = await replay(log, ['--workers', workers, '--no-rdns']);
      assert.deepEqual(off.alerts.map((a) => a.source.ip).sort(), [ATTACKER, CRAWLER].sort());
      assert.equal(srv.queries.get(arpaName(CRAWLER)), before);
      fs.rmSync(dir, { recursive: true, force: true });
    }));
}

// the hub's items, unchanged (crowdsecurity/hub, MIT): rdns as shipped by Debian's crowdsec, seo-bots-whitelist
const HUB_RDNS = `onsuccess: next_stage
filter: "evt.Overflow.Alert.Remediation == true"
name: crowdsecurity/rdns
description: "Lookup the DNS associated to the source IP only for overflows"
statics:
  - method: reverse_dns
    expression: evt.Overflow.Alert.Source.IP
  - meta: reverse_dns
    expression: evt.Enriched.reverse_dns
`;
const HUB_SEO = `name: crowdsecurity/seo-bots-whitelist
description: "Whitelist good search engine crawlers"
whitelist:
  reason: "good bots (search engine crawlers)"
  expression: 
    - "any(File('rdns_seo_bots.txt'), { len(#) > 0 && evt.Enriched.reverse_dns endsWith #})"
    - "RegexpInFile(evt.Enriched.reverse_dns, 'rdns_seo_bots.regex')"
    - "any(File('ip_seo_bots.txt'), { len(#) > 0 && IpInRange(evt.Overflow.Alert.Source.IP ,#)})"
data:
  - source_url: https://raw.githubusercontent.com/crowdsecurity/sec-lists/master/whitelists/benign_bots/search_engine_crawlers/rdns_seo_bots.txt
    dest_file: rdns_seo_bots.txt
    type: string
  - source_url: https://raw.githubusercontent.com/crowdsecurity/sec-lists/master/whitelists/benign_bots/search_engine_crawlers/rnds_seo_bots.regex
    dest_file: rdns_seo_bots.regex
    type: regexp
  - source_url: https://raw.githubusercontent.com/crowdsecurity/sec-lists/master/whitelists/benign_bots/search_engine_crawlers/ip_seo_bots.txt
    dest_file: ip_seo_bots.txt
    type: string
`;

test('picket replay with the hub crowdsecurity/rdns and seo-bots-whitelist: the crawler is not alerted', () =>
  withDns(async (srv) => {
    const dir = tempDir('picket-rdns-hub-');
    const content = path.join(dir, 'content');
    fs.cpSync(path.join(ROOT, 'parsers'), path.join(content, 'parsers'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'scenarios'), path.join(content, 'scenarios'), { recursive: true });
    fs.mkdirSync(path.join(content, 'postoverflows/s00-enrich/crowdsecurity'), { recursive: true });
    fs.mkdirSync(path.join(content, 'postoverflows/s01-whitelist/crowdsecurity'), { recursive: true });
    fs.mkdirSync(path.join(content, 'data'));
    fs.writeFileSync(path.join(content, 'postoverflows/s00-enrich/crowdsecurity/rdns.yaml'), HUB_RDNS);
    fs.writeFileSync(path.join(content, 'postoverflows/s01-whitelist/crowdsecurity/seo-bots-whitelist.yaml'), HUB_SEO);
    // the first lines of the sec-lists files (the hub's data, Debian's /usr/share/crowdsec/data)
    fs.writeFileSync(path.join(content, 'data/rdns_seo_bots.txt'), '.googlebot.com.\n.search.msn.com.\n');
    fs.writeFileSync(
      path.join(content, 'data/rdns_seo_bots.regex'),
      'crawl-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}.googlebot.com.$\n',
    );
    fs.writeFileSync(path.join(content, 'data/ip_seo_bots.txt'), '23.21.227.69/32\n');
    const log = path.join(dir, 'auth.log');
    fs.writeFileSync(log, sshLines(CRAWLER) + sshLines(ATTACKER));
    const r = await replay(log, ['--content', content, '--workers', '0', '--dns-server', srv.addr]);
    assert.deepEqual(
      r.alerts.map((a) => a.source.ip),
      [ATTACKER],
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }));

test('picket run: the crawler is not banned, the attacker is; decisions and alerts list show country and AS', () =>
  withDns(async (srv) => {
    const dir = tempDir('picket-rdns-run-');
    const log = path.join(dir, 'auth.log');
    fs.writeFileSync(log, '');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
    const args = ['--acquis', acquis, '--dns-server', srv.addr, '--metrics', 'off', '--poll', '50', '--workers', '0'];
    args.push('--from-start'); // the files are empty at start: no line can be missed by a tail from the end
    const p = await startPicket(args, dir);
    try {
      await eventually(async () => /watching/.test(p.stderr()), 'the tailer');
      const now = syslogNow();
      fs.appendFileSync(log, sshLines(CRAWLER, 7, now) + sshLines(ATTACKER, 7, now));
      const data = ['--data', p.data];
      const list = await eventually(async () => {
        const r = await picket(['decisions', 'list', '-o', 'json', ...data]);
        return r.code === 0 && r.stdout.includes(ATTACKER) ? r.stdout : null;
      }, 'the attacker banned');
      // the crawler's overflow went through the postoverflows too: it must have been asked about (and whitelisted)
      await eventually(async () => srv.queries.has(arpaName(CRAWLER)), 'the crawler looked up');
      assert.doesNotMatch(list, new RegExp(CRAWLER.replace(/\./g, '\\.')));
      const human = await picket(['decisions', 'list', ...data]);
      const row = human.stdout.split('\n').find((l) => l.includes(ATTACKER))!;
      assert.match(row, /\bUS\b/);
      assert.match(row, /15169/);
      const alerts = await picket(['alerts', 'list', ...data]);
      const arow = alerts.stdout.split('\n').find((l) => l.includes(ATTACKER))!;
      assert.match(arow, /\bUS\b/);
      assert.match(arow, /15169/);
      assert.doesNotMatch(alerts.stdout, new RegExp(CRAWLER.replace(/\./g, '\\.')));
    } finally {
      assert.equal(await p.stop(), 0, p.stderr());
    }
    // still not banned after the stop (nothing was waiting)
    assert.doesNotMatch(p.stdout(), new RegExp(CRAWLER.replace(/\./g, '\\.')));
    fs.rmSync(dir, { recursive: true, force: true });
  }));

test('picket run: an overflow whose lookup times out does not hold another source', () =>
  withDns(
    async (srv) => {
      const slow = '198.51.100.20'; // the server never answers for it
      const dir = tempDir('picket-rdns-slow-');
      const logA = path.join(dir, 'a.log');
      const logB = path.join(dir, 'b.log');
      fs.writeFileSync(logA, '');
      fs.writeFileSync(logB, '');
      const acquis = path.join(dir, 'acquis.yaml');
      fs.writeFileSync(acquis, `filenames:\n  - ${logA}\n  - ${logB}\nlabels:\n  type: syslog\n`);
      const cfg = path.join(dir, 'config.yaml');
      fs.writeFileSync(cfg, `rdns:\n  dns_servers: [${srv.addr}]\n  timeout: 5s\n`);
      const args = ['--acquis', acquis, '--config', cfg, '--metrics', 'off', '--poll', '50', '--workers', '1'];
      args.push('--from-start');
      const p = await startPicket(args, dir);
      try {
        await eventually(async () => /watching/.test(p.stderr()), 'the tailer');
        fs.appendFileSync(logA, sshLines(slow, 7, syslogNow()));
        // A overflowed and waits for its answer
        await eventually(async () => srv.queries.has(arpaName(slow)), 'the slow lookup');
        fs.appendFileSync(logB, sshLines(ATTACKER, 7, syslogNow()));
        await eventually(async () => p.stdout().includes(`Ip:${ATTACKER}`), "the other source's alert");
        assert.doesNotMatch(p.stdout(), /Ip:198\.51\.100\.20/, 'B was handled while A still waited');
        // A's alert is not lost: it leaves when its lookup times out (no name: not whitelisted)
        await eventually(async () => p.stdout().includes(`Ip:${slow}`), "the slow source's alert", 30_000);
      } finally {
        assert.equal(await p.stop(), 0, p.stderr());
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
    ['198.51.100.20'],
  ));
