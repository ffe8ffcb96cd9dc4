// The segmented JS extractor (src/grok/segmented.ts): same results as RE2 on random patterns and inputs,
// on SYSLOGLINE with hostile host/facility fields, and the fallback when an atomic cut was the wrong choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternLibrary, safeStats, type GrokPattern } from '../../src/grok/index.js';
import { buildSegmented } from '../../src/grok/segmented.js';
import { rng } from '../store/random.js';

/** the hub's pattern files (../shared beside the repository) */
const HUB_PATTERNS = new URL('../../../../shared/hub/patterns', import.meta.url).pathname;

const plain = (o: Record<string, string> | null) => (o === null ? null : { ...o });

test('SYSLOGLINE is extracted by the segmented extractor, identical to RE2 on ordinary and hostile lines', () => {
  const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
  const lr = PatternLibrary.withBuiltins({ engine: 're2' });
  ls.loadDirectory(HUB_PATTERNS);
  lr.loadDirectory(HUB_PATTERNS);
  const a = ls.compile('^%{SYSLOGLINE}', 't'),
    b = lr.compile('^%{SYSLOGLINE}', 't');
  assert.equal(a.extractor, 'safe-js');
  assert.ok(a.segments > 1, `segmented (${a.safetyReason})`);
  const r = rng(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const hosts = [
    'host',
    'web-01.example.org',
    'a-b-c-d-e-f-g-h',
    '10.0.0.1',
    '2001:db8::1',
    'fe80::1%eth0',
    'x.',
    '-bad',
    'a'.repeat(70),
  ];
  const progs = ['sshd[123]:', 'CRON[9]:', 'kernel:', 'systemd:', '', 'weird[]:', 'a b:'];
  const facs = ['', '<13>', '<13.6> ', '<1 2> ', '<999999999999.1> '];
  const stamps = [
    'Mar 10 00:00:01',
    'Mar  1 23:59:59',
    '2025-03-10T00:00:01.123+01:00',
    'Foo 10 00:00:01',
    'Mar 10 25:00:00',
  ];
  let fast = 0,
    eligible = 0,
    misses = 0;
  for (let i = 0; i < 4000; i++) {
    const fac = r() < 0.05 ? pick(facs) : '';
    const host = pick(hosts);
    const line = `${pick(stamps)} ${fac}${host}${r() < 0.2 ? ' ' + pick(hosts) : ''}${progs.length ? ' ' + pick(progs) : ''} ${pick(['msg', '', 'Failed password for root from 1.2.3.4 port 22 ssh2', 'x'.repeat(Math.floor(r() * 2000))])}`;
    const before = safeStats.jsExtract,
      missed = safeStats.jsDisagree;
    const want = plain(b.exec(line));
    assert.deepEqual(plain(a.exec(line)), want, JSON.stringify(line.slice(0, 120)));
    fast += safeStats.jsExtract - before;
    if (want !== null && line.length <= a.fastInputLimit) eligible++;
    const miss = safeStats.jsDisagree - missed;
    misses += miss;
    // the only cuts that need RE2 here: a facility field, and an IPv6 zone (`%[^\n]+` must give back)
    if (miss > 0)
      assert.ok(fac !== '' || host.includes('%'), `unexpected fallback on ${JSON.stringify(line.slice(0, 120))}`);
  }
  // every short line RE2 matches goes through the JS extractor; only the facility field falls back (on purpose)
  assert.equal(fast + misses, eligible, `fast ${fast} + fallbacks ${misses} = eligible ${eligible}`);
  assert.ok(fast > 1000, `fast ${fast}, fallbacks ${misses} of ${eligible}`);
  // hostile host fields (dash runs, long dotted names) stay correct; lines past the cap go to RE2
  for (const host of ['a-'.repeat(400) + 'a', 'a.'.repeat(400) + '!', '-'.repeat(900), '1.'.repeat(450)]) {
    const line = `Mar 10 00:00:01 ${host} sshd[1]: x`;
    assert.deepEqual(plain(a.exec(line)), plain(b.exec(line)), host.slice(0, 20));
  }
});

test('a wrong atomic cut falls back to RE2 (never a wrong answer)', () => {
  const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
  const lr = PatternLibrary.withBuiltins({ engine: 're2' });
  for (const [n, r] of [
    ['AB', '(?:a|ab)'],
    ['BC', 'b?c'],
  ] as const) {
    ls.addPatternSyntax(n, r, 't');
    lr.addPatternSyntax(n, r, 't');
  }
  // committing to "a" for AB leaves "bc" for BC... both fine; committing to "ab" leaves "c": the first completion
  // of AB is "a", then BC takes "bc": RE2's answer. On "ab c" no atomic path exists but RE2 matches differently.
  const p = '%{AB:x}%{BC:y}(?: %{WORD:w})?';
  const a = ls.compile(p, 't'),
    b = lr.compile(p, 't');
  for (const line of ['abc', 'ac', 'abbc', 'abc word', 'xx', 'a c', 'abcc']) {
    assert.deepEqual(plain(a.exec(line)), plain(b.exec(line)), line);
  }
});

test('random patterns and inputs: the safe engine (whole, segmented or RE2) always equals RE2', () => {
  const r = rng(20261130);
  const atoms = [
    'a',
    'b',
    '[ab]',
    '[a-c]+',
    'a*',
    'b+',
    '(?:a|ab)',
    '(?:ab|a)',
    '\\d+',
    '[0-9]{1,3}',
    '(?:a|b)+',
    'x?',
    '(?:ab)*',
    '\\.',
    ' ',
    '-',
  ];
  const alphabet = 'aabbc01 .-x';
  let segmented = 0,
    patterns = 0;
  for (let k = 0; k < 300; k++) {
    const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
    const lr = PatternLibrary.withBuiltins({ engine: 're2' });
    const defs: string[] = [];
    const nDefs = 2 + Math.floor(r() * 3);
    for (let d = 0; d < nDefs; d++) {
      let src = '';
      const len = 1 + Math.floor(r() * 3);
      for (let j = 0; j < len; j++) src += atoms[Math.floor(r() * atoms.length)];
      defs.push(src);
      ls.addPatternSyntax(`F${d}`, src, 't');
      lr.addPatternSyntax(`F${d}`, src, 't');
    }
    let pat = r() < 0.5 ? '^' : '';
    for (let d = 0; d < nDefs; d++) {
      let ref = `%{F${d}:f${d}}`;
      const q = r();
      if (q < 0.2) ref = `(?:${ref})?`;
      else if (q < 0.35) ref = `(${ref} ?)+`;
      pat += ref + (r() < 0.5 ? ' ' : '');
    }
    let a: GrokPattern, b: GrokPattern;
    try {
      a = ls.compile(pat, 't');
      b = lr.compile(pat, 't');
    } catch {
      continue;
    }
    patterns++;
    if (a.segments > 1) segmented++;
    for (let t = 0; t < 60; t++) {
      let s = '';
      const n = Math.floor(r() * 16);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      assert.deepEqual(plain(a.exec(s)), plain(b.exec(s)), `${pat} [${defs.join(' | ')}] on ${JSON.stringify(s)}`);
    }
  }
  assert.ok(patterns > 200, `${patterns} patterns compiled`);
  assert.ok(segmented > 20, `${segmented} of ${patterns} patterns used the segmented extractor`);
});

test('buildSegmented refuses what it cannot cut', () => {
  assert.equal(typeof buildSegmented('a|b', 0), 'string');
  assert.equal(typeof buildSegmented('(a)', 1), 'string');
  const ok = buildSegmented('^(a+)-(b+) (c)', 3);
  assert.notEqual(typeof ok, 'string');
});

test('a leading optional item (nginx target_fqdn before remote_addr): two alternatives, identical to RE2, no RE2 extraction', () => {
  const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
  const lr = PatternLibrary.withBuiltins({ engine: 're2' });
  ls.loadDirectory(HUB_PATTERNS);
  lr.loadDirectory(HUB_PATTERNS);
  const p =
    '(%{IPORHOST:target_fqdn} )?%{IPORHOST:remote_addr} - (%{NGUSER:remote_user})? \\[%{HTTPDATE:time_local}\\] "%{WORD:verb} %{DATA:request} HTTP/%{NUMBER:http_version}" %{NUMBER:status} %{NUMBER:body_bytes_sent} "%{NOTDQUOTE:http_referer}" "%{NOTDQUOTE:http_user_agent}"( %{NUMBER:request_length} %{NUMBER:request_time} \\[%{DATA:proxy_upstream_name}\\] \\[%{DATA:proxy_alternative_upstream_name}\\])?';
  const a = ls.compile(p, 't'),
    b = lr.compile(p, 't');
  assert.equal(a.extractor, 'safe-js', a.safetyReason);
  const r = rng(11);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const hosts = [
    '192.168.1.10',
    'www.example.com',
    '2001:db8::7',
    'a-b.c',
    '10.0.0.1',
    'x',
    'fe80::1',
    '1.2.3',
    'host_1',
  ];
  const users = ['-', 'bob', 'a.b@c', ''];
  const reqs = ['/index.html', '/a b c', '/?q="x"', '/x HTTP/1.0 /y', ''];
  let fast = 0,
    matched = 0,
    missed = 0,
    plainMatched = 0;
  for (let i = 0; i < 3000; i++) {
    // (a prefix that cannot start a match, like `host_1 `, makes RE2's match start later: such lines go to RE2)
    const prefix = r() < 0.3 ? `${pick(hosts.filter((h) => !h.includes('_')))} ` : r() < 0.05 ? 'junk ' : '';
    const tail = r() < 0.2 ? ` 512 0.004 [${pick(['up', 'a] [b', ''])}] [${pick(['', 'alt'])}]` : '';
    const line = `${prefix}${pick(hosts)} - ${pick(users)} [10/Mar/2025:00:00:0${i % 10} +0000] "${pick(['GET', 'POST', 'G-T'])} ${pick(reqs)} HTTP/${pick(['1.1', '2.0', 'x'])}" ${pick(['200', '404'])} ${pick(['0', '123'])} "${pick(['-', 'https://a/'])}" "${pick(['curl/8', 'Mozilla/5.0 (X11)', ''])}"${tail}`;
    const before = safeStats.jsExtract,
      miss0 = safeStats.jsDisagree;
    const want = plain(b.exec(line));
    assert.deepEqual(plain(a.exec(line)), want, JSON.stringify(line));
    fast += safeStats.jsExtract - before;
    missed += safeStats.jsDisagree - miss0;
    if (want !== null) matched++;
    // the ingress tail `( %{NUMBER} … \[%{DATA}\] \[%{DATA}\])?` is refused by the analysis (a DATA loop can
    // consume the `]` that ends the first one) and guarded: such lines fall back to RE2 on purpose
    if (want !== null && tail === '') plainMatched++;
  }
  assert.ok(matched > 1000, `${matched} lines match`);
  assert.equal(fast + missed, matched, `fast ${fast} + fallbacks ${missed} = matched ${matched}`);
  assert.ok(fast >= plainMatched, `${fast} lines through the JS extractor, ${plainMatched} without the tail`);
});

test('random patterns with a leading optional item that can start like the rest: equal to RE2', () => {
  const r = rng(5150);
  const atoms = ['a', 'b', '[ab]+', 'a*', '(?:a|ab)', '\\d+', '[0-9]{1,3}', 'x?', ' ', '-', '(?:a|b)+'];
  const alphabet = 'aab 01-x';
  let branched = 0;
  for (let k = 0; k < 300; k++) {
    const ls = PatternLibrary.withBuiltins({ engine: 'safe' });
    const lr = PatternLibrary.withBuiltins({ engine: 're2' });
    const defs: string[] = [];
    for (let d = 0; d < 3; d++) {
      let src = '';
      for (let j = 0, n = 1 + Math.floor(r() * 3); j < n; j++) src += atoms[Math.floor(r() * atoms.length)];
      defs.push(src);
      ls.addPatternSyntax(`G${d}`, src, 't');
      lr.addPatternSyntax(`G${d}`, src, 't');
    }
    const pat = `${r() < 0.3 ? '^' : ''}(%{G0:o}${r() < 0.5 ? ' ' : ''})?%{G1:x}${r() < 0.5 ? ' ' : ''}%{G2:y}`;
    let a: GrokPattern, b: GrokPattern;
    try {
      a = ls.compile(pat, 't');
      b = lr.compile(pat, 't');
    } catch {
      continue;
    }
    if (a.segments > 0 && a.extractor === 'safe-js') branched++;
    for (let t = 0; t < 60; t++) {
      let s = '';
      for (let j = 0, n = Math.floor(r() * 14); j < n; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      assert.deepEqual(plain(a.exec(s)), plain(b.exec(s)), `${pat} [${defs.join(' | ')}] on ${JSON.stringify(s)}`);
    }
  }
  assert.ok(branched > 20, `${branched} patterns used a split or segmented extractor`);
});
