// The Go text/template renderer: language cases whose expected output follows Go's text/template semantics
// (trim markers, pipelines, variables and scopes, if/else if/with/range/else/break/continue, define/template/
// block, builtins and Sprig), errors naming the template and position, and CrowdSec's shipped templates and
// the documented recipes (test/notifications/fixtures) rendered on alerts in the LAPI wire shape.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, templateAlerts, CROWDSEC_FUNCS, TemplateError } from '../../src/notifications/index.js';
import { alertJson, fixtureConfig } from './helpers.js';

const A1 = alertJson('1.2.3.4');
const A2 = alertJson('5.6.7.8', { cn: '', scenario: 'crowdsecurity/http-probing', machine: 'web-2', id: 2 });

function render(src: string, data: unknown = templateAlerts([A1])): string {
  return compileTemplate('t', src, CROWDSEC_FUNCS).render(data);
}

test('text, actions, trim markers and comments', () => {
  assert.equal(render('a {{- " b " -}} c'), 'a b c');
  assert.equal(render('x  {{- /* gone */ -}}  y'), 'xy');
  assert.equal(render('{{/* c */}}z'), 'z');
  assert.equal(render('{{-3}} {{ 0x1F }} {{ 1e3 }} {{ \'a\' }} {{ `r\\n` }} {{ "q\\t" }}'), '-3 31 1000 97 r\\n q\t');
  assert.equal(render('{{ true }} {{ print nil }} {{ 1.5 }}'), 'true <nil> 1.5');
});

test('fields, variables, pipelines and methods on the alert model', () => {
  assert.equal(
    render('{{ (index . 0).Source.IP }} {{ (index . 0).GetScope }} {{ (index . 0).GetValue }}'),
    '1.2.3.4 Ip 1.2.3.4',
  );
  assert.equal(
    render('{{ $a := index . 0 }}{{ $a.Scenario }}/{{ $a.MachineID }}/{{ $a.EventsCount }}'),
    'crowdsecurity/ssh-bf/web-1/6',
  );
  assert.equal(render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}'), '2');
  assert.equal(render('{{ "abc" | printf "%s-%s" "x" }}'), 'x-abc');
  assert.equal(render('{{ with $a := index . 0 }}{{ .Source.Cn }}{{ $a.Source.Latitude }}{{ end }}'), 'FR48.8582');
  assert.equal(render('{{ range . }}{{ .GetMeta "target_user" }}{{ end }}'), '["root","admin"]');
  assert.equal(render('{{ range .}}{{ (index .Events 0).GetMeta "service" }}{{ end }}'), 'ssh');
  assert.equal(render('{{ range . }}{{ GetMeta . "target_user" }}{{ end }}'), '[root]');
  assert.equal(render('{{ .a.b }}', { a: { b: 'deep' } }), 'deep');
  assert.equal(render('{{ .missing }}', { a: 1 }), '<no value>');
});

test('if / else if / with / range with else, break and continue', () => {
  assert.equal(render('{{ if eq 1 2 }}a{{ else if eq 2 2 }}b{{ else }}c{{ end }}'), 'b');
  assert.equal(render('{{ with "" }}x{{ else }}empty{{ end }}'), 'empty');
  assert.equal(
    render(
      '{{ range $i, $e := .L }}{{ if eq $e 3 }}{{ break }}{{ end }}{{ if eq $e 1 }}{{ continue }}{{ end }}{{ $i }}:{{ $e }} {{ end }}',
      { L: [0, 1, 2, 3, 4] },
    ),
    '0:0 2:2 ',
  );
  assert.equal(render('{{ range .L }}x{{ else }}none{{ end }}', { L: [] }), 'none');
  assert.equal(render('{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}', { b: 2, a: 1 }), 'a=1;b=2;');
  assert.equal(render('{{ range 3 }}{{ . }}{{ end }}'), '012');
  assert.equal(
    render('{{ if and 1 0 }}y{{ else }}n{{ end }} {{ or 0 "" "z" }} {{ and 1 "w" }} {{ not 0 }}'),
    'n z w true',
  );
  // and/or stop evaluating at the deciding argument (the failing call is never made)
  assert.equal(render('{{ or 1 (index .L 9) }} {{ and 0 (index .L 9) }}', { L: [] }), '1 0');
});

test('define, template and block', () => {
  assert.equal(render('{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "a" }}{{ template "x" 2 }}'), '[a][2]');
  assert.equal(render('{{ block "b" "in" }}<{{ . }}>{{ end }}!'), '<in>!');
});

test('builtin functions', () => {
  assert.equal(
    render('{{ len "héllo" }} {{ len .L }} {{ index .L 1 }} {{ slice "abcdef" 1 3 }} {{ slice .L 1 }}', {
      L: [1, 2, 3],
    }),
    '6 3 2 bc [2 3]',
  );
  assert.equal(
    render('{{ print "a" 1 2 "b" }}|{{ println 1 "x" }}|{{ printf "%05d %.2f %q %v %x" 42 3.14159 "s" .L 255 }}', {
      L: [1, 2],
    }),
    'a1 2b|1 x\n|00042 3.14 "s" [1 2] ff',
  );
  assert.equal(
    render('{{ html "<a href=\'x\'>&</a>" }} {{ js "it\'s <b>\\"q\\"" }} {{ urlquery "a b&c=d/é" }}'),
    '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; it\\\'s \\u003Cb\\u003E\\"q\\" a+b%26c%3Dd%2F%C3%A9',
  );
  assert.equal(
    render('{{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }}'),
    'true true true true true false',
  );
});

test('Sprig functions the templates use', () => {
  assert.equal(
    render('{{ "FR" | lower }} {{ "x" | upper | quote }} {{ squote "y" }} {{ substr 0 10 "2026-11-25T05:14:29Z" }}'),
    'fr "X" \'y\' 2026-11-25',
  );
  assert.equal(
    render(
      '{{ (splitList "," ("[\\"a\\",\\"b\\"]" | replace "\\"" "`" | replace "[" "" | replace "]" "")) | join "\\\\n" }}',
    ),
    '`a`\\n`b`',
  );
  assert.equal(
    render(
      '{{ sub 5 1 }} {{ add 1 2 3 }} {{ mulf 0.5 100 | floor }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 9 3 }} {{ add1 "4" }}',
    ),
    '4 6 50 3 1 9 5',
  );
  assert.equal(
    render(
      '{{ default "d" "" }} {{ default "d" "v" }} {{ empty .L }} {{ coalesce "" "c" }} {{ ternary "y" "n" true }}',
      { L: [] },
    ),
    'd v true c y',
  );
  assert.equal(
    render(
      '{{ trim "  a  " }}|{{ trimSuffix "/" "x/" }}|{{ trimPrefix "v" "v1" }}|{{ contains "b" "abc" }}|{{ hasPrefix "a" "abc" }}|{{ repeat 3 "z" }}|{{ trunc 2 "abc" }}|{{ title "hello world" }}',
    ),
    'a|x|1|true|true|zzz|ab|Hello World',
  );
  assert.equal(
    render('{{ toString 5 }} {{ list 1 "a" | toJson }} {{ dict "k" "<v>" | toJson }} {{ dict "a" 1 | toPrettyJson }}'),
    '5 [1,"a"] {"k":"\\u003cv\\u003e"} {\n  "a": 1\n}',
  );
  assert.equal(
    render('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexMatch "^[0-9]+$" "123" }} {{ b64enc "hi" }}'),
    '-W-xxW- true aGk=',
  );
  assert.equal(
    render(
      '{{ date "2006-01-02 15:04" 1764047679 }} {{ dateInZone "15:04 MST" 1764047679 "UTC" }} {{ env "PICKET_TEMPLATE_TEST" }}',
    ),
    '2025-11-25 05:14 05:14 UTC ',
  );
  assert.equal(render('{{ Hostname | len | lt 0 }} {{ (CrowdsecCTI "1.2.3.4").Location.City }}|'), 'true |');
});

test('toJson gives the LAPI alert JSON (Go encoding, HTML characters escaped)', () => {
  const out = render('{{ .|toJson }}', templateAlerts([{ ...A1, message: 'a <b> & c' }]));
  assert.ok(out.includes('"message":"a \\u003cb\\u003e \\u0026 c"'));
  assert.deepEqual(JSON.parse(out), [{ ...A1, message: 'a <b> & c' }]);
  assert.deepEqual(JSON.parse(render('{{ range . }}{{ .Source | toJson }}{{ end }}')), A1.source);
});

test('parse and execution errors name the template, the line and the column', () => {
  const cases: [string, RegExp][] = [
    ['a\n{{ if }}', /^template: t:2:6: missing value for if/],
    ['{{ range . }}', /^template: t:1:13: unexpected EOF/],
    ['x\n  {{ nofunc 1 }}', /^template: t:2:5: function "nofunc" not defined/],
    ['{{ $undefined }}', /^template: t:1:3: undefined variable "\$undefined"/],
    ['{{ "unterminated }}', /^template: t:1:3: unterminated quoted string/],
    ['{{ end }}', /^template: t:1:3: unexpected \{\{end\}\}/],
    ['{{ nil }}', /^template: t:1:3: nil is not a command/],
    ['{{ break }}', /^template: t:1:3: \{\{break\}\} outside \{\{range\}\}/],
  ];
  for (const [src, re] of cases) {
    assert.throws(
      () => compileTemplate('t', src),
      (e: unknown) => e instanceof TemplateError && e.code === 'NOTIFY_TEMPLATE_PARSE' && re.test(e.message),
      src,
    );
  }
  const exec: [string, RegExp][] = [
    [
      'line1\n{{ .Foo }}',
      /^template: t:2:3: executing "t" at <\.Foo>: can't evaluate field Foo in type \[\]interface \{\}/,
    ],
    ['{{ index . 5 }}', /^template: t:1:3: executing "t" at <index>: error calling index: index out of range: 5/],
    ['{{ range . }}{{ .Nope }}{{ end }}', /can't evaluate field Nope in type \*models\.Alert/],
    ['{{ upper 5 }}', /error calling upper: wrong type for value; expected string; got int/],
    ['{{ template "none" }}', /no such template "none"/],
  ];
  for (const [src, re] of exec) {
    assert.throws(
      () => render(src),
      (e: unknown) => e instanceof TemplateError && e.code === 'NOTIFY_TEMPLATE_EXEC' && re.test(e.message),
      src,
    );
  }
});

test('a runaway template is bounded (recursion depth, output size)', () => {
  assert.throws(
    () => render('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}'),
    /maximum template depth/,
  );
  assert.throws(() => render('{{ range 100000 }}{{ repeat 100 "x" }}{{ end }}'), /output larger than/);
});

const ALERTS = templateAlerts([A1, A2]);

test("CrowdSec's shipped slack, email, file, http and splunk templates", () => {
  const slack = compileTemplate('slack', fixtureConfig('crowdsec/slack.yaml').format, CROWDSEC_FUNCS).render(ALERTS);
  assert.equal(
    slack,
    ":flag-FR: <https://www.whois.com/whois/1.2.3.4|1.2.3.4> will get ban for next 4h for triggering crowdsecurity/ssh-bf on machine 'web-1'. <https://app.crowdsec.net/cti/1.2.3.4|CrowdSec CTI>\n\n" +
      "\n:pirate_flag: <https://www.whois.com/whois/5.6.7.8|5.6.7.8> will get ban for next 4h for triggering crowdsecurity/http-probing on machine 'web-2'.  <https://app.crowdsec.net/cti/5.6.7.8|CrowdSec CTI>\n",
  );
  const email = compileTemplate('email', fixtureConfig('crowdsec/email.yaml').format, CROWDSEC_FUNCS).render(
    templateAlerts([A1]),
  );
  assert.equal(
    email,
    '<html><body>\n<p><a href=https://www.whois.com/whois/1.2.3.4>1.2.3.4</a> will get <b>ban</b> for next <b>4h</b> for triggering ' +
      '<b>crowdsecurity/ssh-bf</b> on machine <b>web-1</b>.</p> <p><a href=https://app.crowdsec.net/cti/1.2.3.4>CrowdSec CTI</a></p>\n  </body></html>\n',
  );
  const file = compileTemplate('file', fixtureConfig('crowdsec/file.yaml').format, CROWDSEC_FUNCS).render(ALERTS);
  const lines = file.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(JSON.parse(lines[0]!), { time: '2026-11-25T05:14:39Z', program: 'crowdsec', alert: A1 });
  assert.deepEqual(JSON.parse(lines[1]!), { time: '2026-11-25T05:14:39Z', program: 'crowdsec', alert: A2 });
  for (const f of ['crowdsec/http.yaml', 'crowdsec/splunk.yaml']) {
    const out = compileTemplate(f, fixtureConfig(f).format, CROWDSEC_FUNCS).render(ALERTS);
    assert.ok(out.endsWith(']\n'));
    assert.deepEqual(JSON.parse(out), [A1, A2]);
  }
});

test('the documented Gotify, Elasticsearch, Teams, Discord and Telegram recipes', () => {
  const one = templateAlerts([A1]);
  const gotify = compileTemplate('gotify', fixtureConfig('recipes/gotify.yaml').format, CROWDSEC_FUNCS).render(one);
  assert.deepEqual(JSON.parse(gotify), {
    extras: { 'client::display': { contentType: 'text/markdown' } },
    priority: 3,
    title: 'ban 1.2.3.4 for 4h',
    message:
      'crowdsecurity/ssh-bf  \n\n[crowdsec cti](https://app.crowdsec.net/cti/1.2.3.4)  \n\n[shodan](https://shodan.io/host/1.2.3.4)',
  });
  const es = compileTemplate('es', fixtureConfig('recipes/elasticsearch.yaml').format, CROWDSEC_FUNCS).render(one);
  assert.equal(es, `\n {"index": { "_index": "crowdsec-2026-11-25"} }\n ${JSON.stringify(A1)}\n`);
  const teams = JSON.parse(
    compileTemplate('teams', fixtureConfig('recipes/teams.yaml').format, CROWDSEC_FUNCS).render(one),
  ) as { attachments: { content: { body: { facts?: { title: string; value: string }[] }[] } }[] };
  assert.deepEqual(
    teams.attachments[0]!.content.body[1]!.facts!.map((f) => f.value),
    ['1.2.3.4', '4h', 'crowdsecurity/ssh-bf', 'crowdsec', 'false'],
  );
  const discord = JSON.parse(
    compileTemplate('discord', fixtureConfig('recipes/discord.yaml').format, CROWDSEC_FUNCS).render(one),
  ) as { embeds: { fields: { name: string; value: string }[]; url: string }[] };
  assert.equal(discord.embeds[0]!.url, 'https://app.crowdsec.net/cti/1.2.3.4');
  assert.deepEqual(
    discord.embeds[0]!.fields.map((f) => [f.name, f.value]),
    [
      ['Scenario', '`crowdsecurity/ssh-bf`'],
      ['IP', '[1.2.3.4](<https://www.whois.com/whois/1.2.3.4>)'],
      ['Ban Duration', '4h'],
      ['Country', 'FR :flag_fr:'],
      ['target_user', '`root`\n`admin`'],
    ],
  );
  const telegram = compileTemplate('telegram', fixtureConfig('recipes/telegram.yaml').format, CROWDSEC_FUNCS).render(
    ALERTS,
  );
  assert.match(
    telegram,
    /\n {3}1\.2\.3\.4 will get ban for next 4h for triggering crowdsecurity\/ssh-bf\.\n {3}5\.6\.7\.8 will get ban/,
  );
  assert.equal(telegram.match(/"url": "https:\/\/www\.shodan\.io\/host\/(1\.2\.3\.4|5\.6\.7\.8)"/g)?.length, 2);
  assert.match(telegram, /\n {8}\],\n {4}\[\n/); // the separator between the two keyboard rows, none after the last
  assert.match(telegram, /crowdsec\.net\/cti\/5\.6\.7\.8"\n {12}\}\n {8}\]\n {4}\]\n\}\n$/);
});
