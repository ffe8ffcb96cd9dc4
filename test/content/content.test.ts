// Picket's default content (parsers/**/picket, scenarios/picket): schema self-check of every YAML file,
// loading through the real engine, and sample lines parsed to the expected Meta / Parsed fields.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Event, TIMEMACHINE, newStrMap } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';
import { PatternLibrary } from '../../src/grok/index.js';
import { loadParserTree } from '../../src/parser/load.js';
import { PARSE_OK, type ParserTree } from '../../src/parser/runtime.js';
import { loadScenarios, BucketEngine } from '../../src/buckets/index.js';
import { defaultContent, packageRoot } from '../../src/config/content.js';

const ROOT = packageRoot();

function walk(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const PARSER_FILES = walk(path.join(ROOT, 'parsers'));
const SCENARIO_FILES = walk(path.join(ROOT, 'scenarios'));

const NODE_KEYS = new Set([
  'name',
  'description',
  'author',
  'references',
  'format',
  'debug',
  'profiling',
  'filter',
  'onsuccess',
  'nodes',
  'pattern_syntax',
  'grok',
  'statics',
  'stash',
  'whitelist',
  'data',
]);
const GROK_KEYS = new Set(['pattern', 'name', 'apply_on', 'expression', 'statics']);
const STATIC_KEYS = new Set(['meta', 'parsed', 'enriched', 'target', 'value', 'expression', 'method']);
const WHITELIST_KEYS = new Set(['reason', 'ip', 'cidr', 'expression']);
const SCENARIO_KEYS = new Set([
  'type',
  'name',
  'description',
  'references',
  'filter',
  'groupby',
  'distinct',
  'capacity',
  'leakspeed',
  'duration',
  'blackhole',
  'cache_size',
  'overflow_filter',
  'cancel_on',
  'condition',
  'bayesian_prior',
  'bayesian_threshold',
  'bayesian_conditions',
  'labels',
  'scope',
  'reprocess',
  'data',
  'debug',
  'format',
  'version',
]);
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

type Doc = Record<string, unknown>;

function docs(file: string): Doc[] {
  const out: Doc[] = [];
  for (const d of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    assert.equal(d.errors.length, 0, `${file}: YAML error ${d.errors[0]?.message}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    assert.equal(typeof v, 'object', `${file}: a document must be a mapping`);
    out.push(v as Doc);
  }
  return out;
}

function unknownKeys(obj: Doc, allowed: Set<string>): string[] {
  return Object.keys(obj).filter((k) => !allowed.has(k));
}

function checkStatics(list: unknown, where: string): void {
  assert.ok(Array.isArray(list), `${where}: statics must be a list`);
  for (const s of list as Doc[]) {
    assert.deepEqual(unknownKeys(s, STATIC_KEYS), [], `${where}: unknown static keys`);
    assert.ok('value' in s || 'expression' in s, `${where}: a static needs value or expression`);
    assert.ok(
      'method' in s || 'meta' in s || 'parsed' in s || 'target' in s,
      `${where}: a static needs method, meta, parsed or target`,
    );
  }
}

function checkNode(n: Doc, where: string, top: boolean): void {
  assert.deepEqual(unknownKeys(n, NODE_KEYS), [], `${where}: unknown node keys`);
  if (top) {
    assert.equal(typeof n.name, 'string', `${where}: name`);
    assert.match(n.name as string, /^picket\//, `${where}: Picket's own nodes are named picket/...`);
    assert.equal(typeof n.description, 'string', `${where}: description`);
  }
  if (n.onsuccess !== undefined)
    assert.ok(['next_stage', 'continue'].includes(n.onsuccess as string), `${where}: onsuccess`);
  const hasGrok = n.grok !== undefined,
    hasNodes = Array.isArray(n.nodes) && n.nodes.length > 0;
  const hasStatics = Array.isArray(n.statics) && n.statics.length > 0,
    hasWl = n.whitelist !== undefined;
  assert.ok(hasGrok || hasNodes || hasStatics || hasWl, `${where}: empty node`);
  if (hasGrok) {
    const g = n.grok as Doc;
    assert.deepEqual(unknownKeys(g, GROK_KEYS), [], `${where}: unknown grok keys`);
    assert.ok(typeof g.pattern === 'string' || typeof g.name === 'string', `${where}: grok needs pattern or name`);
    assert.ok(
      typeof g.apply_on === 'string' || typeof g.expression === 'string',
      `${where}: grok needs apply_on or expression`,
    );
    if (g.statics !== undefined) checkStatics(g.statics, `${where} grok`);
  }
  if (n.statics !== undefined) checkStatics(n.statics, where);
  if (hasWl) assert.deepEqual(unknownKeys(n.whitelist as Doc, WHITELIST_KEYS), [], `${where}: unknown whitelist keys`);
  if (n.pattern_syntax !== undefined) {
    for (const [k, v] of Object.entries(n.pattern_syntax as Doc)) {
      assert.match(
        k,
        /^PK_[A-Z0-9_]+$/,
        `${where}: own grok pattern names start with PK_ (no clash with pattern files)`,
      );
      assert.equal(typeof v, 'string', `${where}: pattern_syntax ${k}`);
    }
  }
  if (hasNodes) (n.nodes as Doc[]).forEach((c, i) => checkNode(c, `${where} > child ${i}`, false));
}

describe('content files: schema self-check', () => {
  test('there is Picket content for every stage and scenarios', () => {
    const stages = new Set(PARSER_FILES.map((f) => path.relative(path.join(ROOT, 'parsers'), f).split(path.sep)[0]));
    assert.deepEqual([...stages].sort(), ['s00-raw', 's01-parse', 's02-enrich']);
    assert.ok(SCENARIO_FILES.length >= 10);
  });

  for (const f of PARSER_FILES) {
    test(`parser ${path.relative(ROOT, f)}`, () => {
      const parts = path.relative(path.join(ROOT, 'parsers'), f).split(path.sep);
      assert.equal(parts.length, 3, 'layout parsers/<stage>/<author>/<file>.yaml');
      assert.equal(parts[1], 'picket');
      const ds = docs(f);
      assert.ok(ds.length >= 1);
      ds.forEach((d, i) => checkNode(d, `${f} doc ${i}`, true));
    });
  }

  const names = new Set<string>();
  for (const f of SCENARIO_FILES) {
    test(`scenario ${path.relative(ROOT, f)}`, () => {
      for (const d of docs(f)) {
        assert.deepEqual(unknownKeys(d, SCENARIO_KEYS), [], `${f}: unknown scenario keys`);
        for (const k of ['name', 'description', 'filter', 'type']) assert.equal(typeof d[k], 'string', `${f}: ${k}`);
        assert.match(d.name as string, /^picket\//);
        assert.ok(!names.has(d.name as string), `${f}: duplicate scenario name ${d.name as string}`);
        names.add(d.name as string);
        assert.ok(['leaky', 'trigger'].includes(d.type as string), `${f}: type`);
        if (d.type === 'leaky') {
          assert.ok(Number.isInteger(d.capacity) && (d.capacity as number) > 0, `${f}: capacity`);
          assert.match(String(d.leakspeed), GO_DURATION, `${f}: leakspeed`);
        } else assert.equal(d.capacity ?? 0, 0, `${f}: trigger capacity`);
        assert.match(String(d.blackhole), GO_DURATION, `${f}: blackhole`);
        assert.equal(d.groupby, 'evt.Meta.source_ip', `${f}: groupby`);
        const labels = d.labels as Doc;
        assert.equal(labels.remediation, true, `${f}: labels.remediation`);
        for (const k of ['service', 'classification', 'confidence'])
          assert.ok(labels[k] !== undefined, `${f}: labels.${k}`);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// loading and parsing through the engine

let treeCache: ParserTree | null = null;
function tree(): ParserTree {
  if (treeCache) return treeCache;
  const c = defaultContent();
  treeCache = loadParserTree(c.parsers, {
    patterns: PatternLibrary.withBuiltins(),
    dataDir: c.dataDir,
    enrich: { timeMachine: true, yearForYearless: 2025, now: () => GoTime.now(), geo: null, rdns: false },
  });
  return treeCache;
}

function parse(raw: string, type = 'syslog'): { ok: boolean; evt: Event } {
  const evt = new Event({ Raw: raw, Src: '/var/log/test.log', Labels: newStrMap({ type }), Module: 'file' });
  evt.ExpectMode = TIMEMACHINE;
  return { ok: tree().parse(evt) === PARSE_OK, evt };
}

function expectFields(raw: string, type: string, want: Record<string, string | boolean>): Event {
  const { ok, evt } = parse(raw, type);
  assert.ok(ok, `not parsed: ${raw}`);
  for (const [k, v] of Object.entries(want)) {
    const [area, key] = k.split('.', 2) as [string, string | undefined];
    const actual =
      key === undefined
        ? (evt as unknown as Record<string, unknown>)[area]
        : ((evt as unknown as Record<string, Record<string, string>>)[area]![key] ?? '');
    assert.equal(actual, v, `${k} of ${raw}`);
  }
  return evt;
}

describe('content loads in the engine', () => {
  test('parser tree: three stages, no load warnings', () => {
    const t = tree();
    assert.deepEqual(t.stages, ['s00-raw', 's01-parse', 's02-enrich']);
    assert.deepEqual(t.warnings, []);
  });
  test('scenarios compile and build a bucket engine', () => {
    const c = defaultContent();
    const set = loadScenarios(c.scenarios, { dataDir: c.dataDir });
    assert.equal(set.scenarios.length, SCENARIO_FILES.length);
    assert.ok(new BucketEngine(set, { store: 'ts' }));
  });
});

describe('syslog framing', () => {
  test('RFC3164 line: program, pid, message, year-less date completed', () => {
    expectFields(
      'Mar  9 23:59:58 bastion sshd[4242]: Failed password for root from 203.0.113.50 port 50122 ssh2',
      'syslog',
      {
        'Parsed.program': 'sshd',
        'Parsed.pid': '4242',
        'Meta.machine': 'bastion',
        'Meta.timestamp': '2025-03-09T23:59:58Z',
        MarshaledTime: '2025-03-09T23:59:58Z',
      },
    );
  });
  test('RFC3339 timestamp', () => {
    expectFields(
      '2025-03-10T00:00:01.123456+00:00 web01 sshd[77]: Invalid user oracle from 198.51.100.7 port 4000',
      'syslog',
      {
        'Parsed.program': 'sshd',
        'Meta.timestamp': '2025-03-10T00:00:01.123456Z',
        'Meta.log_type': 'ssh_failed-auth',
        'Meta.target_user': 'oracle',
        'Meta.source_ip': '198.51.100.7',
      },
    );
  });
  test('RFC5424 with structured data', () => {
    expectFields(
      '<38>1 2024-05-01T10:00:00+02:00 fw.example sshd 3141 - [meta sequenceId="9"] Invalid user tutu from 198.51.100.9 port 33166',
      'syslog',
      {
        'Parsed.program': 'sshd',
        'Parsed.pid': '3141',
        'Meta.machine': 'fw.example',
        'Meta.source_ip': '198.51.100.9',
        'Meta.timestamp': '2024-05-01T10:00:00+02:00',
      },
    );
  });
  test('lines of programs without a parser are dropped', () => {
    assert.equal(
      parse('Mar 10 00:01:00 web01 CRON[999]: pam_unix(cron:session): session closed for user root').ok,
      false,
    );
    assert.equal(parse('not a syslog line at all').ok, false);
  });
});

describe('sshd', () => {
  const P = 'Mar 10 12:00:00 web01 sshd[100]: ';
  const cases: Array<[string, Record<string, string>]> = [
    [
      'Failed password for invalid user admin from 198.51.100.1 port 2222 ssh2',
      { log_type: 'ssh_failed-auth', target_user: 'admin', source_ip: '198.51.100.1' },
    ],
    [
      'Failed publickey for alice from 2001:db8:a::15 port 2222 ssh2: ED25519 SHA256:abc',
      { log_type: 'ssh_failed-auth', target_user: 'alice', source_ip: '2001:db8:a::15' },
    ],
    ['Invalid user  from 198.51.100.2 port 40', { log_type: 'ssh_failed-auth', source_ip: '198.51.100.2' }],
    [
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.3  user=root',
      { log_type: 'ssh_failed-auth', target_user: 'root', source_ip: '198.51.100.3' },
    ],
    [
      'Disconnected from invalid user pi 198.51.100.4 port 5 [preauth]',
      { log_type: 'ssh_failed-auth', target_user: 'pi', source_ip: '198.51.100.4' },
    ],
    [
      'Connection closed by authenticating user root 198.51.100.5 port 6 [preauth]',
      { log_type: 'ssh_failed-auth', target_user: 'root', source_ip: '198.51.100.5' },
    ],
    [
      'error: maximum authentication attempts exceeded for invalid user git from 198.51.100.6 port 7 ssh2 [preauth]',
      { log_type: 'ssh_failed-auth', target_user: 'git', source_ip: '198.51.100.6' },
    ],
    [
      'Disconnecting authenticating user root 198.51.100.7 port 8: Too many authentication failures [preauth]',
      { log_type: 'ssh_failed-auth', source_ip: '198.51.100.7' },
    ],
    [
      'User bob from 198.51.100.8 not allowed because not listed in AllowUsers',
      { log_type: 'ssh_failed-auth', target_user: 'bob', source_ip: '198.51.100.8' },
    ],
    [
      'banner exchange: Connection from 198.51.100.9 port 9: invalid format',
      { log_type: 'ssh_bad-banner', source_ip: '198.51.100.9' },
    ],
    [
      'Did not receive identification string from 2001:db8::9 port 9',
      { log_type: 'ssh_bad-banner', source_ip: '2001:db8::9' },
    ],
    [
      'Unable to negotiate with 198.51.100.10 port 10: no matching host key type found. Their offer: ssh-rsa [preauth]',
      { log_type: 'ssh_bad-kex', source_ip: '198.51.100.10' },
    ],
    [
      'Connection closed by 198.51.100.11 port 11 [preauth]',
      { log_type: 'ssh_preauth-close', source_ip: '198.51.100.11' },
    ],
    ['Connection closed by 198.51.100.12 port 12', { log_type: 'ssh_preauth-close', source_ip: '198.51.100.12' }],
    [
      'Disconnected from 198.51.100.13 port 13 [preauth]',
      { log_type: 'ssh_preauth-close', source_ip: '198.51.100.13' },
    ],
    [
      'Timeout before authentication for 198.51.100.14 port 14',
      { log_type: 'ssh_auth-timeout', source_ip: '198.51.100.14' },
    ],
    [
      'fatal: Timeout before authentication for 198.51.100.17 port 17',
      { log_type: 'ssh_auth-timeout', source_ip: '198.51.100.17' },
    ],
    [
      'Accepted publickey for deploy from 198.51.100.15 port 15 ssh2: ED25519 SHA256:xyz',
      { log_type: 'ssh_success-auth', target_user: 'deploy', source_ip: '198.51.100.15' },
    ],
    [
      'Received disconnect from 198.51.100.16 port 16:11: disconnected by user',
      { log_type: 'ssh_disconnect', source_ip: '198.51.100.16' },
    ],
  ];
  for (const [msg, want] of cases) {
    test(msg.slice(0, 60), () => {
      const w: Record<string, string> = { 'Meta.service': 'ssh' };
      for (const [k, v] of Object.entries(want)) w[`Meta.${k}`] = v;
      expectFields(P + msg, 'syslog', w);
    });
  }
  test('sshd-session (OpenSSH 9.8+) is sshd too', () => {
    expectFields(
      'Mar 10 12:00:00 web01 sshd-session[100]: Failed password for root from 198.51.100.20 port 1 ssh2',
      'syslog',
      { 'Meta.log_type': 'ssh_failed-auth' },
    );
  });
  test('session bookkeeping lines are not sshd events', () => {
    assert.equal(parse(`${P}pam_unix(sshd:session): session opened for user alice(uid=1001) by (uid=0)`).ok, false);
    assert.equal(parse(`${P}error: kex_exchange_identification: Connection closed by remote host`).ok, false);
  });
});

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0';

describe('http access and error logs (nginx)', () => {
  const line = `203.0.113.9 - - [10/Mar/2025:08:15:02 +0000] "GET /blog/post-1.html?ref=home&x=1 HTTP/1.1" 404 153 "-" "${UA}"`;
  const want = {
    'Meta.service': 'http',
    'Meta.log_type': 'http_access-log',
    'Meta.source_ip': '203.0.113.9',
    'Meta.http_status': '404',
    'Meta.http_verb': 'GET',
    'Meta.http_path': '/blog/post-1.html?ref=home&x=1',
    'Meta.http_user_agent': UA,
    'Meta.timestamp': '2025-03-10T08:15:02Z',
    'Parsed.request': '/blog/post-1.html',
    'Parsed.http_args': 'ref=home&x=1',
    'Meta.http_args_len': '12',
    'Parsed.file_dir': '/blog/',
    'Parsed.file_name': 'post-1.html',
    'Parsed.file_ext': '.html',
    'Parsed.static_ressource': 'false',
  };
  test('nginx combined, log type nginx', () => {
    expectFields(line, 'nginx', want);
  });
  test('nginx combined through syslog (tag nginx:)', () => {
    expectFields(`Mar 10 08:15:02 web01 nginx: ${line}`, 'syslog', { ...want, 'Meta.machine': 'web01' });
  });
  test('nginx: vhost prefix, IPv6 client, static resource', () => {
    expectFields(
      'shop.example.com 2001:db8::77 - bob [10/Mar/2025:08:15:02 +0100] "GET /static/js/app.8c1d2e47.js HTTP/2.0" 200 88412 "https://shop.example.com/" "curl/8.0"',
      'nginx',
      {
        'Meta.target_fqdn': 'shop.example.com',
        'Meta.source_ip': '2001:db8::77',
        'Parsed.file_name': 'app.8c1d2e47.js',
        'Parsed.file_ext': '.js',
        'Parsed.static_ressource': 'true',
        'Meta.timestamp': '2025-03-10T08:15:02+01:00',
      },
    );
  });
  test('nginx: CONNECT and malformed request lines', () => {
    expectFields(
      '198.51.100.30 - - [10/Mar/2025:00:00:00 +0000] "CONNECT www.example.org:443 HTTP/1.1" 400 157 "-" "-"',
      'nginx',
      {
        'Meta.http_verb': 'CONNECT',
        'Meta.http_path': 'www.example.org:443',
        'Meta.http_status': '400',
      },
    );
    expectFields(
      '198.51.100.31 - - [10/Mar/2025:00:00:00 +0000] "\\x16\\x03\\x01\\x02\\x00" 400 157 "-" "-"',
      'nginx',
      {
        'Meta.http_verb': '',
        'Meta.http_path': '\\x16\\x03\\x01\\x02\\x00',
        'Meta.http_status': '400',
      },
    );
  });
  test('nginx error log', () => {
    expectFields(
      '2025/03/10 07:01:02 [error] 812#812: *33 open() "/var/www/html/.env" failed (2: No such file or directory), client: 198.51.100.40, server: example.com, request: "GET /.env HTTP/1.1", host: "example.com"',
      'nginx',
      {
        'Meta.log_type': 'http_error-log',
        'Meta.source_ip': '198.51.100.40',
        'Meta.http_path': '/.env',
        'Meta.http_verb': 'GET',
        'Meta.timestamp': '2025-03-10T07:01:02Z',
      },
    );
    expectFields(
      '2025/03/10 07:01:02 [error] 812#812: *34 user "admin" was not found in "/etc/nginx/.htpasswd", client: 198.51.100.41, server: example.com, request: "GET /private/ HTTP/1.1", host: "example.com"',
      'nginx',
      {
        'Meta.sub_type': 'auth_fail',
        'Meta.source_ip': '198.51.100.41',
      },
    );
  });
});

describe('http access and error logs (apache)', () => {
  test('apache combined, common and vhost:port', () => {
    expectFields(
      `198.51.100.50 - frank [10/Mar/2025:13:55:36 -0700] "POST /wp-login.php HTTP/1.0" 401 2326 "-" "${UA}"`,
      'apache2',
      {
        'Meta.log_type': 'http_access-log',
        'Meta.source_ip': '198.51.100.50',
        'Meta.http_status': '401',
        'Meta.http_verb': 'POST',
        'Meta.http_path': '/wp-login.php',
        'Meta.timestamp': '2025-03-10T13:55:36-07:00',
        'Parsed.file_ext': '.php',
      },
    );
    expectFields('198.51.100.51 - - [10/Mar/2025:13:55:36 +0000] "GET /robots.txt HTTP/1.1" 200 -', 'apache2', {
      'Meta.source_ip': '198.51.100.51',
      'Meta.http_status': '200',
      'Meta.http_user_agent': '',
    });
    expectFields(
      `www.example.net:443 198.51.100.52 - - [10/Mar/2025:13:55:36 +0000] "GET /a\\"b HTTP/1.1" 403 12 "-" "${UA}"`,
      'apache2',
      {
        'Meta.target_fqdn': 'www.example.net',
        'Meta.source_ip': '198.51.100.52',
        'Meta.http_path': '/a\\"b',
      },
    );
  });
  test('apache error logs (2.4 auth_basic, 2.2)', () => {
    expectFields(
      '[Mon Mar 10 12:24:49.880562 2025] [auth_basic:error] [pid 10:tid 1401] [client 198.51.100.60:50229] AH01618: user sss not found: /admin',
      'apache2',
      {
        'Meta.log_type': 'http_error-log',
        'Meta.source_ip': '198.51.100.60',
        'Meta.sub_type': 'auth_fail',
        'Meta.username': 'sss',
        'Meta.timestamp': '2025-03-10T12:24:49.880562Z',
      },
    );
    expectFields(
      '[Mon Mar 10 12:24:50.000001 2025] [auth_basic:error] [pid 10:tid 1401] [client 198.51.100.62:50230] AH01617: user bob: authentication failure for "/admin/": Password Mismatch',
      'apache2',
      {
        'Meta.sub_type': 'auth_fail',
        'Meta.username': 'bob',
        'Meta.http_path': '/admin/',
        'Meta.source_ip': '198.51.100.62',
      },
    );
    expectFields(
      '[Mon Mar 10 12:24:49 2025] [error] [client 198.51.100.61] client denied by server configuration: /srv/www/private',
      'apache2',
      {
        'Meta.source_ip': '198.51.100.61',
        'Meta.sub_type': 'permission_denied',
      },
    );
  });
});

describe('private address whitelist', () => {
  for (const [ip, wl] of [
    ['192.168.1.20', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['::ffff:192.168.3.4', true],
    ['::ffff:8.8.4.4', false],
    ['fe80::1', true],
    ['172.32.0.1', false],
    ['8.8.8.8', false],
    ['2001:4860::8888', false],
  ] as const) {
    test(`${ip} ${wl ? 'is' : 'is not'} whitelisted`, () => {
      expectFields(`Mar 10 12:00:00 web01 sshd[1]: Failed password for root from ${ip} port 22 ssh2`, 'syslog', {
        Whitelisted: wl,
      });
    });
  }
});
