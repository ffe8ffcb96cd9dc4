// Go layouts (src/core/golayout.ts) and ParseDate (parsing.md §12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoLayout, parseGoLayout, tokenizeLayout } from '../../src/core/golayout.js';
import { GoTime } from '../../src/core/gotime.js';
import { DATE_LAYOUTS, parseDate } from '../../src/parser/enrich/date.js';

const ctx = { yearForYearless: 2026 };
const md = (s: string, f = ''): string | undefined => parseDate(s, f, ctx)?.marshaled;

test('every built-in layout parses its own example', () => {
  const cases: Array<[string, string]> = [
    ['2021-03-04T05:06:07.123+02:00', '2021-03-04T05:06:07.123+02:00'],
    ['10/Oct/2000:13:55:36 -0700', '2000-10-10T13:55:36-07:00'],
    ['Thu Feb 3 01:02:03 2022', '2022-02-03T01:02:03Z'],
    ['01-Mar-2022 10:00:00 europe/paris', '2022-03-01T10:00:00Z'],
    ['03/01/2022 10:00:00', '2022-03-01T10:00:00Z'],
    ['2022-01-02 03:04:05.5 +0100 CET', '2022-01-02T03:04:05.5+01:00'],
    ['Feb 12 14:10:21', '2026-02-12T14:10:21Z'],
    ['Feb  2 14:10:21', '2026-02-02T14:10:21Z'],
    ['Tue Mar 01 10:00:00.123456 2022', '2022-03-01T10:00:00.123456Z'],
    ['2022-03-01T10:00:00Z', '2022-03-01T10:00:00Z'],
    ['2022/03/01', '2022-03-01T00:00:00Z'],
    ['2022/03/01 10:05', '2022-03-01T10:05:00Z'],
    ['2022-03-01', '2022-03-01T00:00:00Z'],
    ['2022-03-01 10:05', '2022-03-01T10:05:00Z'],
    ['2022/03/01 10:05:06', '2022-03-01T10:05:06Z'],
    ['2022-03-01 10:05:06', '2022-03-01T10:05:06Z'],
    ['2022-03-01T10:05:06', '2022-03-01T10:05:06Z'],
  ];
  for (const [inp, out] of cases) assert.equal(md(inp), out, inp);
  assert.equal(DATE_LAYOUTS.length, 16);
});

test('fraction after seconds accepted without layout fraction; offsets kept; trailing zeros trimmed', () => {
  assert.equal(md('2022-03-01 10:05:06.250000'), '2022-03-01T10:05:06.25Z');
  assert.equal(md('2022-03-01T10:00:00.100000+05:30'), '2022-03-01T10:00:00.1+05:30');
  assert.equal(md('2022-03-01T10:00:00,5-03:00'), '2022-03-01T10:00:00.5-03:00'); // Go accepts ',' as fraction separator
  assert.equal(md('Feb 12 14:10:21.123456789'), '2026-02-12T14:10:21.123456789Z');
  assert.equal(md('2022-03-01T10:00:00+00:00'), '2022-03-01T10:00:00Z');
});

test('year-less injection uses ctx.yearForYearless (Go AddDate: Feb 29 -> Mar 1)', () => {
  assert.equal(parseDate('Dec 31 23:59:59', '', { yearForYearless: 2019 })?.marshaled, '2019-12-31T23:59:59Z');
  assert.equal(md('Feb 29 12:00:00'), '2026-03-01T12:00:00Z');
  assert.equal(parseDate('Feb 29 12:00:00', '', { yearForYearless: 2024 })?.marshaled, '2024-02-29T12:00:00Z');
  const t = parseGoLayout('Jan _2 15:04:05', 'Feb  3 01:02:03');
  assert.equal(t?.Year(), 0);
  assert.equal(t?.Month().n, 2);
});

test('Unix seconds fallback and failures', () => {
  assert.equal(md('1646128800'), '2022-03-01T10:00:00Z');
  assert.equal(md('1646128800.75'), '2022-03-01T10:00:00Z');
  assert.equal(md('0'), undefined);
  assert.equal(md('-5'), undefined);
  assert.equal(md('garbage'), undefined);
  assert.equal(md(''), undefined);
  assert.equal(md('2022-13-01'), undefined);
  assert.equal(md('2022-02-30'), undefined);
});

test('hub StrTimeFormat values', () => {
  assert.equal(md('2022-03-01T10:00:00.123Z', '2006-01-02T15:04:05.999Z'), '2022-03-01T10:00:00.123Z');
  assert.equal(md('2022-03-01T10:00:00Z', '2006-01-02T15:04:05.999Z'), '2022-03-01T10:00:00Z');
  assert.equal(md('Tue Mar  1 10:00:00 2022', 'Mon Jan _2 15:04:05 2006'), '2022-03-01T10:00:00Z');
  assert.equal(md('Tue Mar 11 10:00:00 2022', 'Mon Jan _2 15:04:05 2006'), '2022-03-11T10:00:00Z');
  assert.equal(md('220315 10:11:12', '060102 15:04:05'), '2022-03-15T10:11:12Z');
  assert.equal(md('991231 10:11:12', '060102 15:04:05'), '1999-12-31T10:11:12Z');
  assert.equal(md('03/15/2022, 1:05:09 PM', '01/02/2006, 3:04:05 PM'), '2022-03-15T13:05:09Z');
  assert.equal(md('03/15/2022, 12:05:09 AM', '01/02/2006, 3:04:05 PM'), '2022-03-15T00:05:09Z');
  // StrTimeFormat failing falls back to the list
  assert.equal(md('2022-03-01 10:05:06', '060102 15:04:05'), '2022-03-01T10:05:06Z');
});

test('Go layout essentials: tokens, zones, fractions, names, spaces', () => {
  const p = (l: string, v: string): string | undefined => parseGoLayout(l, v)?.toRFC3339Nano();
  assert.equal(p('January 2, 2006', 'march 5, 2021'), '2021-03-05T00:00:00Z'); // names case-insensitive
  assert.equal(p('Monday 02 Jan 06', 'Friday 05 Mar 21'), '2021-03-05T00:00:00Z');
  assert.equal(p('2006-01-02 15:04:05 MST', '2021-03-05 10:00:00 PDT'), '2021-03-05T10:00:00Z'); // unknown abbrev -> 0
  assert.equal(p('2006-01-02 15:04:05 -07', '2021-03-05 10:00:00 +05'), '2021-03-05T10:00:00+05:00');
  assert.equal(p('2006-01-02 15:04:05 -0700', '2021-03-05 10:00:00 -0130'), '2021-03-05T10:00:00-01:30');
  assert.equal(p('2006-01-02 15:04:05Z0700', '2021-03-05 10:00:00Z'), '2021-03-05T10:00:00Z');
  assert.equal(p('2006-01-02 15:04:05Z0700', '2021-03-05 10:00:00+0200'), '2021-03-05T10:00:00+02:00');
  assert.equal(p('2006-01-02 15:04:05.000', '2021-03-05 10:00:00.12'), undefined); // .000 needs exactly 3 digits
  assert.equal(p('2006-01-02 15:04:05,000', '2021-03-05 10:00:00,120'), '2021-03-05T10:00:00.12Z');
  assert.equal(p('2006-01-02 15:04:05.999', '2021-03-05 10:00:00'), '2021-03-05T10:00:00Z');
  assert.equal(p('2006-01-02 3:04pm', '2021-03-05 3:04pm'), '2021-03-05T15:04:00Z');
  assert.equal(p('2006-01-02  15:04', '2021-03-05 15:04'), '2021-03-05T15:04:00Z'); // space run
  assert.equal(p('2006-01-02 15:04', '2021-03-05    15:04'), '2021-03-05T15:04:00Z');
  assert.equal(p('2006-01-02Z', '2021-03-05Z'), '2021-03-05T00:00:00Z'); // lone Z is literal
  assert.equal(p('2006-01-02', '2021-03-05 extra'), undefined);
  assert.equal(p('1/2/06', '3/5/21'), '2021-03-05T00:00:00Z');
  assert.deepEqual(tokenizeLayout('.000').length, 1);
});

test('formatGoLayout', () => {
  const t = GoTime.fromUnixNano(1646128805123456789n, 3600, '');
  assert.equal(formatGoLayout(t, '2006-01-02T15:04:05.999999999Z07:00'), '2022-03-01T11:00:05.123456789+01:00');
  assert.equal(formatGoLayout(t, 'Mon Jan _2 15:04:05.000 2006 -0700'), 'Tue Mar  1 11:00:05.123 2022 +0100');
  assert.equal(formatGoLayout(t, '3:04PM 06 January 02'), '11:00AM 22 March 01');
  assert.equal(formatGoLayout(t.UTC(), '2006-01-02T15:04:05Z07:00 MST'), '2022-03-01T10:00:05Z UTC');
  const back = parseGoLayout(
    '2006-01-02T15:04:05.999999999Z07:00',
    formatGoLayout(t, '2006-01-02T15:04:05.999999999Z07:00'),
  );
  assert.equal(back?.toRFC3339Nano(), t.toRFC3339Nano());
});

test('parseDate remembers its last answer only for the same input, format and year', () => {
  const y25 = { yearForYearless: 2025 },
    y26 = { yearForYearless: 2026 };
  const a = parseDate('Mar 10 00:00:01', '', y25);
  assert.equal(a?.marshaled, '2025-03-10T00:00:01Z');
  assert.equal(parseDate('Mar 10 00:00:01', '', y25), a);
  assert.equal(parseDate('Mar 10 00:00:01', '', y26)?.marshaled, '2026-03-10T00:00:01Z');
  assert.equal(
    parseDate('Mar 10 00:00:01', 'Jan 2 15:04:05 2006', y25),
    parseDate('Mar 10 00:00:01', 'Jan 2 15:04:05 2006', y25),
  );
  assert.equal(parseDate('Mar 10 00:00:02', '', y25)?.marshaled, '2025-03-10T00:00:02Z');
  assert.equal(parseDate('nonsense', '', y25), null);
  assert.equal(parseDate('nonsense', '', y25), null);
});
