// The monthly report end to end: two months of alerts posted through a running LAPI (./fixture.ts), the
// report of November built from the store and written by `picket report` (a separate process on the same
// data folder, beside the running LAPI) as JSON, HTML and PDF. The HTML is opened in Debian's chromium
// (playwright-core, no browser download): the charts' bars are drawn with the JSON's values, every figure
// shown equals the JSON's, no request leaves the page; a screenshot is kept in test/artefacts/. The PDF is
// checked with poppler (pdfinfo, pdftotext, pdftoppm).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fillTwoMonths, NOW, type Filled } from './fixture.js';
import { picket, ROOT } from '../cli/helpers.js';
import { CHROMIUM, launchChromium } from '../chromium.js';
import { buildReport, parseMonth, type ReportData } from '../../src/report/index.js';

const have = (bin: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`]);
    return true;
  } catch {
    return false;
  }
};
const ARTEFACTS = path.join(ROOT, 'test/artefacts');

let f: Filled;
let out: string;
let json: ReportData;

before(async () => {
  f = await fillTwoMonths();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-report-'));
  for (const fmt of ['json', 'html', 'pdf']) {
    const r = await picket([
      'report',
      '--data',
      f.env.dir,
      '--month',
      '2026-11',
      '--format',
      fmt,
      '-o',
      path.join(out, `r.${fmt}`),
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  json = JSON.parse(fs.readFileSync(path.join(out, 'r.json'), 'utf8')) as ReportData;
});

after(async () => {
  await f?.env.cleanup();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

/** the value at a dotted path of the JSON */
function at(obj: unknown, k: string): unknown {
  return k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], obj);
}

test("JSON: the month's figures, the previous month, crowd, bouncers, incidents", () => {
  assert.equal(json.format, 'picket-report/1');
  assert.equal(json.month, '2026-11');
  assert.equal(json.summary.alerts, f.novAlerts); // the crowd pulls are not attacks
  assert.equal(json.previous.summary.alerts, f.octAlerts);
  assert.equal(json.changes.alerts.delta, f.novAlerts - f.octAlerts);
  assert.equal(json.attacksPerDay.length, 30);
  assert.equal(
    json.attacksPerDay.reduce((n, d) => n + d.alerts, 0),
    f.novAlerts,
  );
  assert.equal(json.attacksPerDay[6].alerts, 0);
  assert.ok(json.attacksPerDay[14].alerts > 0);
  assert.equal(
    json.topScenarios.reduce((n, s) => n + s.alerts, 0),
    f.novAlerts,
  );
  assert.deepEqual(json.incidents.newScenarios, [
    'crowdsecurity/http-path-traversal-probing',
    'crowdsecurity/http-sensitive-files',
  ]);
  assert.ok(
    json.topSources.every((s) => s.country !== '' && s.asNumber !== ''),
    'offline GeoIP found every source',
  );
  assert.ok(json.topCountries.length >= 3);
  assert.deepEqual(json.crowd.received, [
    { label: 'CAPI', count: 12 },
    { label: 'lists:firehol_cybercrime', count: 5 },
  ]);
  assert.equal(json.crowd.shared, null);
  assert.equal(json.decisions.issued, f.novAlerts + 17);
  const fw = json.bouncers.find((b) => b.name === 'fw')!;
  assert.equal(fw.reports, 2);
  assert.deepEqual(
    fw.metrics.filter((m) => m.name === 'dropped').map((m) => [m.origin, m.value]),
    [
      ['CAPI', 20],
      ['crowdsec', 400],
    ],
  );
  assert.equal(json.incidents.largest.length, 5);
  assert.ok(json.incidents.largest[0].events >= json.incidents.largest[4].events);
  // the same data built in-process (the console's path) agrees with the CLI's
  const direct = buildReport(f.env.lapi, { month: parseMonth('2026-11'), now: NOW });
  assert.deepEqual(direct.summary, json.summary);
  assert.deepEqual(direct.topSources, json.topSources);
});

test('HTML in chromium: charts drawn with the data, figures equal to the JSON, nothing fetched', async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:') || u.startsWith('data:')) return route.continue();
      outside.push(u);
      return route.abort();
    });
    await page.goto('file://' + path.join(out, 'r.html'));
    const charts = await page.$$eval('figure[data-chart]', (figs) =>
      figs.map((fig) => {
        const color = fig.getAttribute('data-color')!;
        const bars = [...fig.querySelectorAll(`svg path[fill="${color}"]`)].map((p) => {
          const b = (p as SVGGraphicsElement).getBBox();
          return b.width * b.height;
        });
        return {
          id: fig.getAttribute('data-chart')!,
          values: fig.getAttribute('data-values')!.split(',').map(Number),
          bars,
        };
      }),
    );
    assert.deepEqual(
      charts.map((c) => c.id),
      ['attacks-per-day', 'top-scenarios', 'top-countries', 'decisions-by-origin'],
    );
    const expected: Record<string, number[]> = {
      'attacks-per-day': json.attacksPerDay.map((d) => d.alerts),
      'top-scenarios': json.topScenarios.map((s) => s.alerts),
      'top-countries': json.topCountries.map((c) => c.alerts),
      'decisions-by-origin': json.decisions.byOrigin.map((o) => o.count),
    };
    for (const c of charts) {
      assert.deepEqual(c.values, expected[c.id], `${c.id}: plotted values`);
      assert.equal(c.bars.length, c.values.length, `${c.id}: one bar per value`);
      const drawn = c.bars.filter((a) => a > 0).length;
      assert.equal(drawn, c.values.filter((v) => v > 0).length, `${c.id}: a visible bar for each non-zero value`);
      assert.ok(drawn > 0, `${c.id}: has data`);
    }
    // bar heights follow the values (the tallest day has the tallest bar)
    const perDay = charts[0];
    const maxDay = expected['attacks-per-day'].indexOf(Math.max(...expected['attacks-per-day']));
    assert.equal(perDay.bars.indexOf(Math.max(...perDay.bars)), maxDay);
    const figures = await page.$$eval('[data-k]', (els) => els.map((e) => [e.getAttribute('data-k')!, e.textContent!]));
    assert.ok(figures.length > 50, `figures shown: ${figures.length}`);
    for (const [k, text] of figures) assert.equal(Number(text.replace(/,/g, '')), at(json, k), `figure ${k}`);
    const text = await page.textContent('body');
    for (const s of json.topSources) assert.ok(text!.includes(s.value) && text!.includes(`AS${s.asNumber}`), s.value);
    assert.deepEqual(outside, []);
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTEFACTS, 'report.png'), fullPage: false });
    assert.ok(fs.statSync(path.join(ARTEFACTS, 'report.png')).size > 10_000);
  } finally {
    await browser.close();
  }
});

test('HTML is self-contained: no script, link, import or external URL', () => {
  const html = fs.readFileSync(path.join(out, 'r.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link|<img|@import|url\(/i);
  const urls = html.match(/(?:src|href)\s*=\s*"[^"]*"/gi) ?? [];
  assert.deepEqual(urls, []);
});

test('PDF: pages, the figures in its text, renders with poppler', (t) => {
  if (!have('pdftotext') || !have('pdfinfo') || !have('pdftoppm')) {
    t.skip('poppler-utils is missing (apt-get install poppler-utils)');
    return;
  }
  const pdf = path.join(out, 'r.pdf');
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
  assert.ok(pages >= 2, info);
  assert.match(info, /Title:\s+Picket monthly report 2026-11/);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(text, /Picket security report - 2026-11/);
  assert.match(text, new RegExp(`Alerts\\s+${json.summary.alerts}\\s+\\+${json.changes.alerts.delta}`));
  for (const s of json.topScenarios)
    assert.match(text, new RegExp(`${s.scenario.replace(/[/]/g, '\\/')}\\s+${s.alerts}\\s+${s.sources}`));
  for (const s of json.topSources.slice(0, 5)) assert.ok(text.includes(s.value), s.value);
  assert.ok(text.includes(`Issued this month: ${json.decisions.issued}`));
  assert.match(text, /dropped\s+crowdsec\s+packet\s+400/);
  // chart axis labels come from the SVGs (vector text placed by svg-to-pdfkit)
  assert.match(text, /Attacks \(alerts\) per day/);
  // every word (chart labels included) inside the page's right margin (A4: 595 pt wide, 40 pt margin)
  const bbox = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8' });
  const xMax = [...bbox.matchAll(/xMax="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(xMax.length > 100 && Math.max(...xMax) <= 595.28 - 40 + 1, `rightmost word at ${Math.max(...xMax)} pt`);
  execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, path.join(out, 'page')]);
  const png = fs.readdirSync(out).find((n) => n.startsWith('page') && n.endsWith('.png'));
  assert.ok(png && fs.statSync(path.join(out, png)).size > 5000, 'page 1 renders');
});

test('bad options: a clear error naming the value', async () => {
  let r = await picket(['report', '--data', f.env.dir, '--month', '2026-13']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /month '2026-13': expected YYYY-MM/);
  r = await picket(['report', '--data', f.env.dir, '--format', 'docx']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /format 'docx': expected html, pdf or json/);
});
