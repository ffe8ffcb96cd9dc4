// The report as one self-contained HTML page: inline CSS, the ECharts SVGs inline, no script, font, image
// or link to anything outside the file (it opens offline and from a mail attachment). Charts first, tables
// after. Every figure is written with `data-k="<path in the JSON>"` so a reader can tie it to the JSON.

import { reportCharts, type Chart } from './charts.js';
import type { Change, IncidentRow, Labelled, ReportData } from './types.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;
background:#f4f5f7}
main{max-width:920px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px}.warn{background:#fff4e5;border:1px solid #f0b37e;padding:8px 12px;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px}
.card{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:26px;color:#222}.card small{display:block;color:#666;font-size:12px}
.up{color:#b03a2e}.down{color:#1e8449}
figure{background:#fff;border-radius:8px;margin:12px 0;padding:8px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
figcaption{font-weight:600;margin-bottom:4px}svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee}td.n,th.n{text-align:right}
.empty{color:#888;font-style:italic}footer{color:#777;font-size:12px;margin-top:32px}
`;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** a number tied to its JSON path */
function num(v: number, k: string): string {
  return `<span data-k="${esc(k)}">${v.toLocaleString('en-US')}</span>`;
}

function changeText(c: Change): string {
  if (c.delta === 0) return 'same as last month';
  const cls = c.delta > 0 ? 'up' : 'down';
  const pct = c.percent === null ? 'new' : `${c.percent > 0 ? '+' : ''}${c.percent}%`;
  const sign = c.delta > 0 ? '+' : '';
  return `<span class="${cls}">${sign}${c.delta.toLocaleString('en-US')} (${pct})</span> vs last month`;
}

type Cell = string | { n: number; k: string };

function table(head: string[], rows: Cell[][], numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="empty">none this month</p>';
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const td = (c: Cell) => (typeof c === 'string' ? `<td>${esc(c)}</td>` : `<td class="n">${num(c.n, c.k)}</td>`);
  const tr = rows.map((r) => '<tr>' + r.map(td).join('') + '</tr>').join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

type NumKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T] & string;

/** the rows of the JSON array at `path`: text columns, then number columns tied to the JSON */
type TextCol<T> = [string, (r: T) => string];
type NumCol<T> = [string, NumKey<T>];

function listTable<T>(path: string, rows: T[], text: TextCol<T>[], nums: NumCol<T>[]): string {
  const cells = rows.map((r, i): Cell[] => [
    ...text.map(([, f]) => f(r)),
    ...nums.map(([, f]) => ({ n: r[f] as number, k: `${path}.${i}.${f}` })),
  ]);
  const head = [...text.map((t) => t[0]), ...nums.map((n) => n[0])];
  return table(
    head,
    cells,
    nums.map((_, j) => text.length + j),
  );
}

function labelledTable(title: string, rows: Labelled[], path: string): string {
  return listTable(path, rows, [[title, (r) => r.label]], [['Count', 'count']]);
}

function incidents(rows: IncidentRow[], path: string): string {
  const text: TextCol<IncidentRow>[] = [
    ['Alert', (r) => `#${r.alertId}`],
    ['Scenario', (r) => r.scenario],
    ['Source', (r) => r.source],
    ['Start', (r) => r.start.slice(0, 19).replace('T', ' ')],
  ];
  return listTable(path, rows, text, [
    ['Events', 'events'],
    ['Duration (s)', 'durationS'],
  ]);
}

function figure(c: Chart): string {
  const body = c.values.length ? c.svg : '<p class="empty">no data this month</p>';
  return (
    `<figure id="${c.id}" data-chart="${c.id}" data-color="${c.color}" data-values="${c.values.join(',')}">` +
    `<figcaption>${esc(c.title)}</figcaption>${body}</figure>`
  );
}

const CARDS: [keyof ReportData['summary'], string][] = [
  ['alerts', 'alerts'],
  ['sources', 'attacking sources'],
  ['scenarios', 'scenarios'],
  ['decisionsIssued', 'decisions issued'],
  ['countries', 'countries'],
];

function head(r: ReportData): string {
  const cards = CARDS.map(
    ([k, label]) =>
      `<div class="card"><b>${num(r.summary[k], `summary.${k}`)}</b>` +
      `<small>${esc(label)}<br>${changeText(r.changes[k])}</small></div>`,
  ).join('');
  const warn = r.coverage.complete
    ? ''
    : `<p class="warn">The store's oldest alert starts ` +
      `${esc(r.coverage.oldestAlert ?? '(none)')}: retention (or a recent install) may have removed part of this ` +
      'month. Keep alerts longer (retention.max_age) for full reports.</p>';
  return `<h1>Picket security report — ${esc(r.month)}</h1>
<p class="sub">${esc(r.period.from.slice(0, 10))} to ${esc(r.period.to.slice(0, 10))} (UTC, end excluded)
 · generated ${esc(r.generatedAt)}</p>
${warn}<section class="cards">${cards}</section>`;
}

const COUNTS: [string, 'alerts' | 'sources'][] = [
  ['Alerts', 'alerts'],
  ['Sources', 'sources'],
];

function tops(r: ReportData): string {
  const as = (s: { asNumber: string; asName: string }) => (s.asNumber ? `AS${s.asNumber} ${s.asName}` : '');
  return `<h2>Top scenarios</h2>
${listTable('topScenarios', r.topScenarios, [['Scenario', (s) => s.scenario]], COUNTS)}
<h2>Top sources</h2>
${listTable(
  'topSources',
  r.topSources,
  [
    ['Source', (s) => s.value],
    ['Country', (s) => s.country],
    ['AS', as],
    ['Range', (s) => s.range],
  ],
  [['Alerts', 'alerts']],
)}
<h2>Countries, networks and ranges</h2>
${listTable('topCountries', r.topCountries, [['Country', (c) => c.country]], COUNTS)}
${listTable(
  'topAs',
  r.topAs,
  [
    ['AS', (a) => `AS${a.asNumber}`],
    ['Name', (a) => a.asName],
  ],
  COUNTS,
)}
${listTable('topRanges', r.topRanges, [['Range', (g) => g.range]], COUNTS)}`;
}

function enforcement(r: ReportData): string {
  const bouncers = r.bouncers
    .map(
      (b, i) =>
        `<h3>${esc(b.name)} <small>${esc(b.type)} ${esc(b.version)}</small></h3>` +
        `<p>Last pull: ${esc(b.lastPull ?? 'never')}` +
        ` · usage reports this month: ${num(b.reports, `bouncers.${i}.reports`)}</p>` +
        listTable(
          `bouncers.${i}.metrics`,
          b.metrics,
          [
            ['Metric', (m) => m.name],
            ['Origin', (m) => m.origin],
            ['Unit', (m) => m.unit],
          ],
          [['Value', 'value']],
        ),
    )
    .join('\n');
  const shared =
    r.crowd.shared === null
      ? '<p class="empty">Signals sent to the crowd are not recorded by this installation (no crowd ledger).</p>'
      : `<p>Signals shared (${esc(r.crowd.shared.source)}): ${num(r.crowd.shared.total, 'crowd.shared.total')}</p>` +
        labelledTable('Scenario', r.crowd.shared.byScenario, 'crowd.shared.byScenario');
  return `<h2>Decisions</h2>
<p>Issued this month: ${num(r.decisions.issued, 'decisions.issued')}
 · active now: ${num(r.decisions.active, 'decisions.active')}</p>
${labelledTable('Type', r.decisions.byType, 'decisions.byType')}
${labelledTable('Origin (issued)', r.decisions.byOrigin, 'decisions.byOrigin')}
${labelledTable('Origin (active now)', r.decisions.activeByOrigin, 'decisions.activeByOrigin')}
<h2>What the bouncers enforced</h2>
${bouncers || '<p class="empty">no bouncer registered</p>'}
<h2>Crowd</h2>
<p>Received from the crowd and blocklists this month: ${num(r.crowd.receivedTotal, 'crowd.receivedTotal')} decisions
 · active now: ${num(r.crowd.activeReceived, 'crowd.activeReceived')}</p>
${labelledTable('Origin', r.crowd.received, 'crowd.received')}
${shared}`;
}

function notable(r: ReportData): string {
  const fresh = r.incidents.newScenarios;
  return `<h2>Notable incidents</h2>
<h3>Largest (events)</h3>${incidents(r.incidents.largest, 'incidents.largest')}
<h3>Longest</h3>${incidents(r.incidents.longest, 'incidents.longest')}
<h3>New scenarios (not seen in ${esc(r.previous.month)})</h3>
${fresh.length ? `<ul>${fresh.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p class="empty">none</p>'}`;
}

export function renderHtml(r: ReportData, charts: Chart[] = reportCharts(r)): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Picket monthly report ${esc(r.month)}</title><style>${CSS}</style></head>
<body><main tabindex="0" aria-label="Picket monthly report ${esc(r.month)}">
${head(r)}
${charts.map(figure).join('\n')}
${tops(r)}
${enforcement(r)}
${notable(r)}
<footer>Previous month ${esc(r.previous.month)}: ${num(r.previous.summary.alerts, 'previous.summary.alerts')} alerts.
GeoIP: ${esc(r.geo.source ?? 'none')}. ${esc(r.geo.attribution)}. Generated by Picket.</footer>
</main></body></html>
`;
}
