// CrowdSec helpers (expr.md §5), data files, stash, hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileExpr,
  ExprRuntimeError,
  loadDataFile,
  configureStash,
  stashSet,
  stashGet,
  registerExprHooks,
  clearExprHooks,
} from '../../src/expr/index.js';
import { setStashClock } from '../../src/expr/stash.js';
import { Event } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';

function mk(): Event {
  const e = new Event({ Raw: '{"a":{"b":[1,"x\\"y",{"c":true}]},"s":"str","n":1.50,"nul":null}' });
  return e;
}
function ev(src: string, evt: Event = mk()): unknown {
  return compileExpr(src, { env: 'evt', where: 'helpers' }).run({ evt });
}
function rterr(src: string, evt: Event = mk()): void {
  assert.throws(() => ev(src, evt), ExprRuntimeError);
}

test('Lower / Upper / TrimSpace / Trim* / Fields / Index / IndexAny / Join / Replace / ReplaceAll', () => {
  assert.equal(ev('Lower("AbC")'), 'abc');
  assert.equal(ev('Upper("AbC")'), 'ABC');
  assert.equal(ev('Upper("straße")'), 'STRAßE'); // Go maps rune by rune, no expansion
  assert.equal(ev('Lower("ÉTÉ")'), 'été');
  assert.equal(ev('Upper(evt.Unmarshaled.nope ?? "x")'), 'X');
  assert.equal(ev('TrimSpace("\\t a \\n")'), 'a');
  assert.equal(ev('Trim("--a--", "-")'), 'a');
  assert.equal(ev('TrimLeft("--a--", "-")'), 'a--');
  assert.equal(ev('TrimRight("--a--", "-")'), '--a');
  assert.equal(ev('TrimPrefix("prefix-x", "prefix-")'), 'x');
  assert.equal(ev('TrimSuffix("x.log", ".log")'), 'x');
  assert.deepEqual(ev('Fields("  a  b\\tc ")'), ['a', 'b', 'c']);
  assert.equal(ev('Index("héllo", "l")'), 3); // byte offset
  assert.equal(ev('Index("abc", "z")'), -1);
  assert.equal(ev('IndexAny("golang", "ny")'), 4);
  assert.equal(ev('Join(["a", "b"], ",")'), 'a,b');
  assert.equal(ev('Replace("oink oink oink", "k", "ky", 2)'), 'oinky oinky oink');
  assert.equal(ev('Replace("oink oink", "oink", "moo", -1)'), 'moo moo');
  assert.equal(ev('ReplaceAll("a.b.c", ".", "/")'), 'a/b/c');
});

test('Split / SplitN / SplitAfter / SplitAfterN (Go semantics)', () => {
  assert.deepEqual(ev('Split("a,b,,c", ",")'), ['a', 'b', '', 'c']);
  assert.deepEqual(ev('Split("héy", "")'), ['h', 'é', 'y']);
  assert.deepEqual(ev('Split("", ",")'), ['']);
  assert.deepEqual(ev('SplitN("a,b,c", ",", 2)'), ['a', 'b,c']);
  assert.deepEqual(ev('SplitN("a,b,c", ",", 0)'), []);
  assert.deepEqual(ev('SplitAfter("a,b,c", ",")'), ['a,', 'b,', 'c']);
  assert.deepEqual(ev('SplitAfterN("a,b,c", ",", 2)'), ['a,', 'b,c']);
  assert.equal(ev('Split("1.2.3.4", ".")[0]'), '1');
});

test('UnmarshalJSON stores into Unmarshaled; invalid JSON is not nil', () => {
  const e = mk();
  assert.equal(ev('UnmarshalJSON(evt.Line.Raw, evt.Unmarshaled, "j") in ["", nil]', e), true);
  assert.equal(ev('evt.Unmarshaled.j.a.b[2].c', e), true);
  assert.equal(ev('evt.Unmarshaled.j.s', e), 'str');
  assert.equal(ev('evt.Unmarshaled.j.nul', e), null);
  assert.equal(ev('UnmarshalJSON("{bad", evt.Unmarshaled, "k") in ["", nil]', e), false);
  assert.equal(ev('"k" in evt.Unmarshaled', e), false);
});

test('JsonExtract family', () => {
  assert.equal(ev('JsonExtract(evt.Line.Raw, "s")'), 'str');
  assert.equal(ev('JsonExtract(evt.Line.Raw, "n")'), '1.50');
  assert.equal(ev('JsonExtract(evt.Line.Raw, "a.b[0]")'), '1');
  assert.equal(ev('JsonExtract(evt.Line.Raw, "a.b[1]")'), 'x\\"y'); // raw, escapes not decoded
  assert.equal(ev('JsonExtract(evt.Line.Raw, "a.b[2].c")'), 'true');
  assert.equal(ev('JsonExtract(evt.Line.Raw, "a.b[2]")'), '{"c":true}');
  assert.equal(ev('JsonExtract(evt.Line.Raw, "missing")'), '');
  assert.equal(ev('JsonExtract("not json", "a")'), '');
  assert.equal(ev('JsonExtractLib(evt.Line.Raw, "a", "b", "[0]")'), '1');
  assert.equal(ev('JsonExtractUnescape(evt.Line.Raw, "a", "b", "[1]")'), 'x"y');
  assert.equal(ev('JsonExtractUnescape(evt.Line.Raw, "n")'), '');
  assert.deepEqual(ev('JsonExtractSlice(evt.Line.Raw, "a.b")'), [1, 'x"y', { c: true }]);
  assert.equal(ev('JsonExtractSlice(evt.Line.Raw, "s")'), null);
  assert.deepEqual(ev('JsonExtractObject(evt.Line.Raw, "a.b[2]")'), { c: true });
  assert.equal(ev('JsonExtractObject(evt.Line.Raw, "s")'), null);
  assert.equal(ev('ToJsonString({b: 1, a: "x"})'), '{"a":"x","b":1}');
});

test('ParseKV and ParseKVLax', () => {
  const e = mk();
  assert.equal(ev('ParseKV(\'a=1 b="two words" c=\\\\"x\', evt.Unmarshaled, "kv")', e), null);
  assert.equal(ev('evt.Unmarshaled.kv.a', e), '1');
  assert.equal(ev('evt.Unmarshaled.kv.b', e), 'two words');
  assert.equal(ev('evt.Unmarshaled.kv.missing', e), ''); // map[string]string semantics
  rterr('ParseKV("no pairs here", evt.Unmarshaled, "kv2")', e);
  assert.equal(ev('ParseKVLax(\'msg=hello world user="bob \\\\"b\\\\"" id=3\', evt.Unmarshaled, "lax")', e), null);
  assert.equal(ev('evt.Unmarshaled.lax.msg', e), 'hello world');
  assert.equal(ev('evt.Unmarshaled.lax.user', e), 'bob "b"');
  assert.equal(ev('evt.Unmarshaled.lax.id', e), '3');
});

test('IP helpers', () => {
  assert.equal(ev('IpInRange("192.168.1.5", "192.168.1.0/24")'), true);
  assert.equal(ev('IpInRange("192.168.2.5", "192.168.1.0/24")'), false);
  assert.equal(ev('IpInRange("2001:db8::1", "2001:db8::/32")'), true);
  assert.equal(ev('IpInRange("::ffff:10.0.0.1", "10.0.0.0/8")'), true);
  assert.equal(ev('IpInRange("bad", "10.0.0.0/8")'), false);
  assert.equal(ev('IpInRange("10.0.0.1", "bad")'), false);
  assert.equal(ev('IpToRange("2001:db8::1", "/64")'), '2001:db8::/64');
  assert.equal(ev('IpToRange("192.168.1.77", "24")'), '192.168.1.0/24');
  assert.equal(ev('IpToRange("192.168.1.77", "/40")'), '');
  assert.equal(ev('IpToRange("nope", "/24")'), '');
  assert.equal(ev('IsIP("1.2.3.4")'), true);
  assert.equal(ev('IsIP("::1")'), true);
  assert.equal(ev('IsIP("1.2.3")'), false);
  assert.equal(ev('IsIPV4("1.2.3.4")'), true);
  assert.equal(ev('IsIPV4("::ffff:1.2.3.4")'), true);
  assert.equal(ev('IsIPV4("::1")'), false);
  assert.equal(ev('IsIPV6("::1")'), true);
  assert.equal(ev('IsIPV6("::ffff:1.2.3.4")'), false);
  assert.equal(ev('IsIPV6("1.2.3.4")'), false);
});

test('XMLGetNodeValue / XMLGetAttributeValue', () => {
  const xml = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770}'/><EventID>1</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>host&amp;1</Computer><TimeCreated SystemTime='2024-01-01T00:00:00Z'/></System><EventData><Data Name='Image'>C:\\Windows\\cmd.exe</Data><Data Name='User'>NT AUTHORITY\\SYSTEM</Data></EventData></Event>`;
  const e = new Event({ Raw: xml });
  assert.equal(ev('XMLGetNodeValue(evt.Line.Raw, "/Event/System[1]/EventID")', e), '1');
  assert.equal(ev('XMLGetNodeValue(evt.Line.Raw, "/Event/System[1]/Computer")', e), 'host&1');
  assert.equal(
    ev(`XMLGetNodeValue(evt.Line.Raw, "/Event/EventData[1]/Data[@Name='Image']")`, e),
    'C:\\Windows\\cmd.exe',
  );
  assert.equal(
    ev(`XMLGetNodeValue(evt.Line.Raw, "/Event/EventData[1]/Data[@Name='User']")`, e),
    'NT AUTHORITY\\SYSTEM',
  );
  assert.equal(ev(`XMLGetNodeValue(evt.Line.Raw, "//Data[@Name='User']")`, e), 'NT AUTHORITY\\SYSTEM');
  assert.equal(ev(`XMLGetNodeValue(evt.Line.Raw, "/Event/EventData/Data[2]")`, e), 'NT AUTHORITY\\SYSTEM');
  assert.equal(ev(`XMLGetNodeValue(evt.Line.Raw, "/Event/Nope")`, e), '');
  assert.equal(ev(`XMLGetNodeValue("<broken", "/a")`, e), '');
  assert.equal(
    ev(`XMLGetAttributeValue(evt.Line.Raw, "/Event/System[1]/Provider", "Name")`, e),
    'Microsoft-Windows-Sysmon',
  );
  assert.equal(
    ev(`XMLGetAttributeValue(evt.Line.Raw, "/Event/System/TimeCreated", "SystemTime")`, e),
    '2024-01-01T00:00:00Z',
  );
  assert.equal(ev(`XMLGetAttributeValue(evt.Line.Raw, "/Event/System/TimeCreated", "Nope")`, e), '');
});

test('Match glob', () => {
  assert.equal(ev('Match("*.php", "index.php")'), true);
  assert.equal(ev('Match("a?c", "abc")'), true);
  assert.equal(ev('Match("a?c", "ac")'), false);
  assert.equal(ev('Match("*", "")'), true);
  assert.equal(ev('Match("", "")'), true);
  assert.equal(ev('Match("", "x")'), false);
  assert.equal(ev('Match("ABC", "abc")'), false);
  assert.equal(ev('Match("a*b*c", "aXXbYYc")'), true);
});

test('URL helpers', () => {
  assert.equal(ev('QueryUnescape("a+b%20c%2F")'), 'a b c/');
  assert.equal(ev('QueryUnescape("bad%zz")'), 'bad%zz');
  assert.equal(ev('PathUnescape("a+b%20c")'), 'a+b c');
  assert.equal(ev('PathUnescape("%e9%")'), '%e9%');
  assert.equal(ev('PathUnescape("%41%4a%4B+")'), 'AJK+');
  assert.equal(ev('QueryUnescape("no+escape")'), 'no escape');
  assert.equal(ev('PathUnescape("%c3%a9t%C3%A9")'), 'été');
  assert.equal(ev('PathUnescape("%4")'), '%4');
  assert.equal(ev('PathUnescape("%g1")'), '%g1');
  assert.equal(ev('QueryEscape("a b/c&d")'), 'a+b%2Fc%26d');
  assert.equal(ev('PathEscape("a b/c@d")'), 'a%20b%2Fc@d');
  assert.deepEqual(ev('ParseUri("/p?a=1&b=2&a=3")'), Object.assign(Object.create(null), { a: ['1', '3'], b: ['2'] }));
  assert.deepEqual((ev('ParseQuery("x=%20y&z")') as Record<string, string[]>).x, [' y']);
  assert.deepEqual(ev('ExtractQueryParam("/p?a=1&b=2&a=3", "a")'), ['1', '3']);
  assert.deepEqual(ev('ExtractQueryParam("/p?a=1", "zz")'), []);
});

test('Sprintf with Go verbs and static int/float kinds', () => {
  assert.equal(ev('Sprintf("%s-%d", "a", 5)'), 'a-5');
  assert.equal(ev('Sprintf("%dh", (GetDecisionsCount("1.2.3.4") + 1) * 4)'), '4h');
  assert.equal(ev('Sprintf("%v %v %v", 1, 1.5, true)'), '1 1.5 true');
  assert.equal(ev('Sprintf("%q", "a\\"b")'), '"a\\"b"');
  assert.equal(ev('Sprintf("%x %X", 255, "hi")'), 'ff 6869');
  assert.equal(ev('Sprintf("%.2f|%f", 3.14159, 2.0)'), '3.14|2.000000');
  assert.equal(ev('Sprintf("%5s|%-5s|%05d", "a", "b", 42)'), '    a|b    |00042');
  assert.equal(ev('Sprintf("%d", 1.5)'), '%!d(float64=1.5)');
  assert.equal(ev('Sprintf("%s")'), '%!s(MISSING)');
  assert.equal(ev('Sprintf("%d%%", 50)'), '50%');
  assert.equal(ev('Sprintf("%v", [1, "a"])'), '[1 a]');
  assert.equal(ev('Sprintf("%v", evt.Unmarshaled.nope)'), '<nil>');
  assert.equal(ev('Sprintf("%T %T", 1, "x")'), 'int string');
});

test('Distance', () => {
  const d = ev('Distance("48.8566", "2.3522", "51.5074", "-0.1278")') as number;
  assert.ok(Math.abs(d - 343.5) < 1, String(d));
  assert.equal(ev('Distance("0", "0", "51.5", "-0.1")'), 0);
  rterr('Distance("x", "0", "1", "1")');
});

test('MedianInterval / AverageInterval over times', () => {
  const evts = [0, 10, 30, 60].map((s) => {
    const e = new Event();
    e.Time = new GoTime(1700000000000 + s * 1000);
    return e;
  });
  const env = { evt: evts[0]!, queue: { Queue: evts, L: 4 }, leaky: {} };
  const c = compileExpr('MedianInterval(map(queue.Queue, {#.Time}))', { env: 'bucket', where: 'w' });
  assert.equal(c.kind, 'duration');
  assert.equal(c.run(env), 20e9);
  assert.equal(
    compileExpr('AverageInterval(map(queue.Queue, {#.Time}))', { env: 'bucket', where: 'w' }).run(env),
    20e9,
  );
  assert.equal(
    compileExpr('len(queue.Queue) >= 4 && MedianInterval(map(queue.Queue[-4:], {#.Time})) >= duration("20s")', {
      env: 'bucket',
      where: 'w',
    }).run(env),
    true,
  );
  assert.throws(
    () => compileExpr('MedianInterval(map(queue.Queue[:1], {#.Time}))', { env: 'bucket', where: 'w' }).run(env),
    ExprRuntimeError,
  );
});

test('misc helpers: Get ToString KeyExists Atof B64Decode Flatten Distinct FlattenDistinct FloatApproxEqual LogInfo Hostname TimeNow ParseUnix', () => {
  assert.equal(ev('Get(["a", "b"], 1)'), 'b');
  assert.equal(ev('Get(["a"], 3)'), '');
  assert.equal(ev('ToString("x")'), 'x');
  assert.equal(ev('ToString(1)'), '');
  assert.equal(ev('KeyExists("a", {a: 1})'), true);
  assert.equal(ev('KeyExists("b", {a: 1})'), false);
  assert.equal(ev('Atof("1.5")'), 1.5);
  assert.equal(ev('Atof("x")'), 0);
  assert.equal(ev('B64Decode("aGk=")'), 'hi');
  rterr('B64Decode("%%%")');
  assert.deepEqual(ev('Flatten([1, [2]], 3)'), [1, 2, 3]);
  assert.deepEqual(ev('Distinct([1, 2, 1])'), [1, 2]);
  assert.deepEqual(ev('FlattenDistinct([1, [2, 1]], 2)'), [1, 2]);
  assert.equal(ev('FloatApproxEqual(0.1 + 0.2, 0.3)'), true);
  assert.equal(ev('FloatApproxEqual(1.0, 1.1)'), false);
  const logs: string[] = [];
  registerExprHooks({ log: (_l, m) => logs.push(m) });
  assert.equal(ev('LogInfo("hello %s", "world")'), true);
  assert.deepEqual(logs, ['hello world']);
  clearExprHooks();
  assert.equal(typeof ev('Hostname()'), 'string');
  assert.match(ev('TimeNow()') as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(ev('ParseUnix("1700000000.5")'), '2023-11-14T22:13:20Z');
  assert.equal(ev('ParseUnix("-1")'), '');
  assert.equal(ev('ParseUnix("abc")'), '');
});

test('hooks: GeoIP, decisions, DNS; neutral values without provider; network helpers disabled', () => {
  clearExprHooks();
  assert.equal(ev('GeoIPEnrich("1.2.3.4")'), null);
  assert.equal(ev('IPToCountry("1.2.3.4")'), '');
  assert.equal(ev('GetDecisionsCount("1.2.3.4")'), 0);
  assert.equal(ev('GetDecisionsSinceCount("1.2.3.4", "1d")'), 0);
  assert.equal(ev('GetActiveDecisionsCount("1.2.3.4")'), 0);
  assert.deepEqual(ev('LookupHost("example.com")'), []);
  registerExprHooks({
    geoipCity: (ip) => ({ Country: { IsoCode: ip === '1.2.3.4' ? 'FR' : '' } }),
    ipToCountry: () => 'FR',
    decisionsCount: (v) => (v === '1.2.3.4' ? 3 : 0),
    decisionsSinceCount: (_v, ns) => ns / 3600e9,
    lookupHost: () => ['93.184.216.34'],
  });
  assert.equal(ev('GeoIPEnrich("1.2.3.4").Country.IsoCode'), 'FR');
  assert.equal(ev('IPToCountry("1.2.3.4")'), 'FR');
  assert.equal(ev('GetDecisionsCount("1.2.3.4")'), 3);
  assert.equal(ev('GetDecisionsSinceCount("1.2.3.4", "1d2h")'), 26);
  assert.deepEqual(ev('LookupHost("example.com")'), ['93.184.216.34']);
  clearExprHooks();
  assert.equal(ev('GeoIPASNEnrich("1.2.3.4")'), null);
  assert.equal(ev('GeoIPRangeEnrich("1.2.3.4")'), null);
  assert.equal(ev('GetActiveDecisionsTimeLeft("1.2.3.4")'), 0);
  registerExprHooks({
    geoipASN: () => ({ AutonomousSystemNumber: 15169, AutonomousSystemOrganization: 'GOOGLE' }),
    geoipRange: () => '8.8.8.0/24',
    activeDecisionsCount: () => 2,
    activeDecisionsTimeLeft: () => 3600e9,
  });
  assert.equal(ev('GeoIPASNEnrich("8.8.8.8").AutonomousSystemOrganization'), 'GOOGLE');
  assert.equal(ev('GeoIPRangeEnrich("8.8.8.8")'), '8.8.8.0/24');
  assert.equal(ev('GetActiveDecisionsCount("8.8.8.8")'), 2);
  assert.equal(ev('GetActiveDecisionsTimeLeft("8.8.8.8") > duration("59m")'), true);
  clearExprHooks();
  assert.throws(() => ev('HTTPGet("http://x")'), /disabled: no network access from expressions/);
  assert.throws(() => ev('HTTPHead("http://x")'), /disabled/);
  assert.throws(() => ev('HTTPPost("http://x", "text/plain", "b")'), /disabled/);
  assert.throws(() => ev('HTTPRequest("GET", "http://x", {}, "")'), /disabled/);
  assert.throws(() => ev('LibInjectionIsSQLI("1 OR 1=1")'), /not implemented/);
  assert.throws(() => ev('LibInjectionIsXSS("<script>")'), /not implemented/);
  assert.throws(() => ev('CrowdsecCTI("1.2.3.4")'), /disabled/);
});

test('data files: File, RegexpInFile, LookupFile, FileMap, MatchKnownBot; missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-expr-'));
  writeFileSync(join(dir, 'bad_ua.txt'), '# comment\nsqlmap\n\nnikto\n');
  writeFileSync(join(dir, 'bad_re.txt'), '^/wp-.*\\.php$\n(?i)union.+select\n');
  writeFileSync(
    join(dir, 'map.json'),
    [
      '{"pattern": "/admin", "tag": "admin-exact", "type": "equals"}',
      '{"pattern": "login", "tag": "login", "type": "contains"}',
      '{"pattern": "adm", "tag": "adm", "type": "contains"}',
      '{"pattern": "^/api/v[0-9]+", "tag": "api", "type": "regex"}',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'bots.json'),
    '{"user_agent": ["googlebot"], "ips": ["66.249.66.1"], "ranges": ["66.249.64.0/19"]}\n',
  );
  assert.equal(loadDataFile('bad_ua.txt', 'string', dir), null);
  assert.equal(loadDataFile('bad_ua.txt', 'string', dir), null); // once only
  assert.equal(loadDataFile('bad_re.txt', 'regexp', dir), null);
  assert.equal(loadDataFile('map.json', 'map', dir), null);
  assert.equal(loadDataFile('bots.json', 'bots', dir), null);
  writeFileSync(
    join(dir, 'broken_re.txt'),
    Array.from({ length: 100 }, (_, i) => `\\bbot${i}\\b`).join('\n') + '\nok(\n',
  );
  const broken = loadDataFile('broken_re.txt', 'regexp', dir);
  assert.ok(broken instanceof Error);
  assert.match(broken.message, /broken_re\.txt/);
  assert.match(broken.message, /regexp "ok\("/);
  const miss = loadDataFile('nope.txt', 'string', dir);
  assert.ok(miss instanceof Error);
  assert.match(miss.message, /nope\.txt/);
  assert.deepEqual(ev('File("bad_ua.txt")'), ['sqlmap', 'nikto']);
  assert.equal(ev('"nikto" in File("bad_ua.txt")'), true);
  assert.deepEqual(ev('File("unknown.txt")'), []);
  assert.equal(ev('RegexpInFile("/wp-login.php", "bad_re.txt")'), true);
  assert.equal(ev('RegexpInFile("id=1 UNION all SELECT", "bad_re.txt")'), true);
  assert.equal(ev('RegexpInFile("/index.html", "bad_re.txt")'), false);
  assert.equal(ev('LookupFile("/admin", "map.json")'), 'admin-exact');
  assert.equal(ev('LookupFile("/admin/login", "map.json")'), 'adm'); // leftmost contains hit
  assert.equal(ev('LookupFile("/user/login", "map.json")'), 'login');
  assert.equal(ev('LookupFile("/api/v2/x", "map.json")'), 'api');
  assert.equal(ev('LookupFile("/nothing", "map.json")'), '');
  assert.equal((ev('FileMap("map.json")') as unknown[]).length, 4);
  assert.equal(ev('MatchKnownBot("66.249.70.3", "Mozilla Googlebot/2.1", "/", "bots.json")'), true);
  assert.equal(ev('MatchKnownBot("1.1.1.1", "Mozilla Googlebot/2.1", "/", "bots.json")'), false);
  assert.equal(ev('MatchKnownBot("66.249.66.1", "curl", "/", "bots.json")'), false);
});

test('stash: GetFromStash / SetInStash with TTL and LRU eviction', () => {
  let now = 1_000_000;
  setStashClock(() => now);
  configureStash('sessions', { ttlNs: 10e9, size: 2, strategy: 'LRU' });
  assert.equal(stashSet('sessions', 'a', '1'), null);
  assert.equal(ev('GetFromStash("sessions", "a")'), '1');
  assert.equal(ev('GetFromStash("sessions", "zz")'), '');
  assert.equal(ev('SetInStash("sessions", "b", "2") == nil'), true);
  stashGet('sessions', 'a'); // a is now most recent
  stashSet('sessions', 'c', '3'); // evicts b
  assert.equal(stashGet('sessions', 'b'), '');
  assert.equal(stashGet('sessions', 'a'), '1');
  now += 11_000;
  assert.equal(ev('GetFromStash("sessions", "a")'), '');
  assert.throws(() => ev('GetFromStash("nope", "a")'), ExprRuntimeError);
  assert.equal(stashGet('nope', 'a'), '');
  setStashClock(Date.now);
});
