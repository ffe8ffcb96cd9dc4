// The report as one self-contained HTML page: inline CSS, the ECharts SVGs inline, no script, font, image
// or link to anything outside the file (it opens offline and from a mail attachment). Charts first, tables
// after. Every figure is written with `data-k="<path in the JSON>"` so a reader can tie it to the JSON.

import { reportCharts, type Chart } from './charts.js';
import type { Change, IncidentRow, Labelled, ReportData } from './types.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#f4f5f7}
main{max-width:920px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px}.warn{background:#fff4e5;border:1px solid #f0b37e;padding:8px 12px;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px}
.card{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:26px;color:#222}.card small{display:block;color:#666;font-size:12px}.up{color:#b03a2e}.down{color:#1e8449}
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
  return `<span class="${cls}">${c.delta > 0 ? '+' : ''}${c.delta.toLocaleString('en-US')} (${pct})</span> vs last month`;
}

type Cell = string | { n: number; k: string };

function table(head: string[], rows: Cell[][], numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="empty">none this month</p>';
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => '<tr>' + r.map((c) => typeof c === 'string'
    ? `<td>${esc(c)}</td>` : `<td class="n">${num(c.n, c.k)}</td>`).join('') + '</tr>').join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function labelledTable(title: string, rows: Labelled[], k: string): string {
  return table([title, 'Count'], rows.map((r, i) => [r.label, { n: r.count, k: `${k}.${i}.count` }]), [1]);
}

function incidents(rows: IncidentRow[], k: string): string {
  return table(['Alert', 'Scenario', 'Source', 'Start', 'Events', 'Duration (s)'], rows.map((r, i) => [
    `#${r.alertId}`, r.scenario, r.source, r.start.slice(0, 19).replace('T', ' '),
    { n: r.events, k: `${k}.${i}.events` }, { n: r.durationS, k: `${k}.${i}.durationS` },
  ]), [4, 5]);
}

function figure(c: Chart): string {
  return `<figure id="${c.id}" data-chart="${c.id}" data-color="${c.color}" data-values="${c.values.join(',')}">`
    + `<figcaption>${esc(c.title)}</figcaption>${c.values.length ? c.svg : '<p class="empty">no data this month</p>'}</figure>`;
}

const CARDS: [keyof ReportData['summary'], string][] = [
  ['alerts', 'alerts'], ['sources', 'attacking sources'], ['scenarios', 'scenarios'],
  ['decisionsIssued', 'decisions issued'], ['countries', 'countries'],
];

export function renderHtml(r: ReportData, charts: Chart[] = reportCharts(r)): string {
  const cards = CARDS.map(([k, label]) => `<div class="card"><b>${num(r.summary[k], `summary.${k}`)}</b>`
    + `<small>${esc(label)}<br>${changeText(r.changes[k])}</small></div>`).join('');
  const crowdShared = r.crowd.shared === null
    ? '<p class="empty">Signals sent to the crowd are not recorded by this installation (no crowd ledger).</p>'
    : `<p>Signals shared (${esc(r.crowd.shared.source)}): ${num(r.crowd.shared.total, 'crowd.shared.total')}</p>`
      + labelledTable('Scenario', r.crowd.shared.byScenario, 'crowd.shared.byScenario');
  const bouncers = r.bouncers.map((b, i) => `<h3>${esc(b.name)} <small>${esc(b.type)} ${esc(b.version)}</small></h3>`
    + `<p>Last pull: ${esc(b.lastPull ?? 'never')} · usage reports this month: ${num(b.reports, `bouncers.${i}.reports`)}</p>`
    + table(['Metric', 'Origin', 'Unit', 'Value'], b.metrics.map((m, j) => [m.name, m.origin, m.unit,
      { n: m.value, k: `bouncers.${i}.metrics.${j}.value` }]), [3])).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Picket monthly report ${esc(r.month)}</title><style>${CSS}</style></head>
<body><main>
<h1>Picket security report — ${esc(r.month)}</h1>
<p class="sub">${esc(r.period.from.slice(0, 10))} to ${esc(r.period.to.slice(0, 10))} (UTC, end excluded) · generated ${esc(r.generatedAt)}</p>
${r.coverage.complete ? '' : `<p class="warn">The store's oldest alert starts ${esc(r.coverage.oldestAlert ?? '(none)')}: `
  + 'retention (or a recent install) may have removed part of this month. Keep alerts longer (retention.max_age) for full reports.</p>'}
<section class="cards">${cards}</section>
${charts.map(figure).join('\n')}
<h2>Top scenarios</h2>
${table(['Scenario', 'Alerts', 'Sources'], r.topScenarios.map((s, i) => [s.scenario, { n: s.alerts, k: `topScenarios.${i}.alerts` }, { n: s.sources, k: `topScenarios.${i}.sources` }]), [1, 2])}
<h2>Top sources</h2>
${table(['Source', 'Country', 'AS', 'Range', 'Alerts'], r.topSources.map((s, i) => [s.value, s.country, s.asNumber ? `AS${s.asNumber} ${s.asName}` : '', s.range, { n: s.alerts, k: `topSources.${i}.alerts` }]), [4])}
<h2>Countries, networks and ranges</h2>
${table(['Country', 'Alerts', 'Sources'], r.topCountries.map((c, i) => [c.country, { n: c.alerts, k: `topCountries.${i}.alerts` }, { n: c.sources, k: `topCountries.${i}.sources` }]), [1, 2])}
${table(['AS', 'Name', 'Alerts', 'Sources'], r.topAs.map((a, i) => [`AS${a.asNumber}`, a.asName, { n: a.alerts, k: `topAs.${i}.alerts` }, { n: a.sources, k: `topAs.${i}.sources` }]), [2, 3])}
${table(['Range', 'Alerts', 'Sources'], r.topRanges.map((g, i) => [g.range, { n: g.alerts, k: `topRanges.${i}.alerts` }, { n: g.sources, k: `topRanges.${i}.sources` }]), [1, 2])}
<h2>Decisions</h2>
<p>Issued this month: ${num(r.decisions.issued, 'decisions.issued')} · active now: ${num(r.decisions.active, 'decisions.active')}</p>
${labelledTable('Type', r.decisions.byType, 'decisions.byType')}
${labelledTable('Origin (issued)', r.decisions.byOrigin, 'decisions.byOrigin')}
${labelledTable('Origin (active now)', r.decisions.activeByOrigin, 'decisions.activeByOrigin')}
<h2>What the bouncers enforced</h2>
${bouncers || '<p class="empty">no bouncer registered</p>'}
<h2>Crowd</h2>
<p>Received from the crowd and blocklists this month: ${num(r.crowd.receivedTotal, 'crowd.receivedTotal')} decisions · active now: ${num(r.crowd.activeReceived, 'crowd.activeReceived')}</p>
${labelledTable('Origin', r.crowd.received, 'crowd.received')}
${crowdShared}
<h2>Notable incidents</h2>
<h3>Largest (events)</h3>${incidents(r.incidents.largest, 'incidents.largest')}
<h3>Longest</h3>${incidents(r.incidents.longest, 'incidents.longest')}
<h3>New scenarios (not seen in ${esc(r.previous.month)})</h3>
${r.incidents.newScenarios.length ? `<ul>${r.incidents.newScenarios.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p class="empty">none</p>'}
<footer>Previous month ${esc(r.previous.month)}: ${num(r.previous.summary.alerts, 'previous.summary.alerts')} alerts.
GeoIP: ${esc(r.geo.source ?? 'none')}. ${esc(r.geo.attribution)}. Generated by Picket.</footer>
</main></body></html>
`;
}
