// The report as a PDF, without a browser: pdfkit lays out the pages (standard Helvetica, no font download),
// svg-to-pdfkit places the same ECharts SVGs as vector drawings. Same order as the HTML: summary and
// charts first, then the tables. Returns the file's bytes.

import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { reportCharts, type Chart } from './charts.js';
import type { IncidentRow, Labelled, ReportData } from './types.js';

const MARGIN = 40;
const WIDTH = 595.28 - 2 * MARGIN; // A4 portrait

type Doc = InstanceType<typeof PDFDocument>;

function heading(doc: Doc, text: string): void {
  if (doc.y > 700) doc.addPage();
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('#222').text(text, MARGIN);
  doc.moveDown(0.2).font('Helvetica').fontSize(9);
}

/** a table as fixed columns; `widths` are fractions of the page width */
function table(doc: Doc, head: string[], rows: (string | number)[][], widths: number[]): void {
  if (rows.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(9).fillColor('#888').text('none this month', MARGIN).font('Helvetica');
    return;
  }
  const line = (cells: (string | number)[], bold: boolean) => {
    if (doc.y > 780) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    let h = 0;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor('#222');
    cells.forEach((c, i) => {
      const w = widths[i] * WIDTH;
      const text = typeof c === 'number' ? c.toLocaleString('en-US') : c;
      const opts = {
        width: w - 6,
        align: typeof c === 'number' ? ('right' as const) : ('left' as const),
        lineBreak: false,
        ellipsis: true,
      };
      doc.text(text, x, y, opts);
      h = Math.max(h, doc.heightOfString(text, opts));
      x += w;
    });
    doc.x = MARGIN;
    doc.y = y + h + 3;
  };
  line(head, true);
  for (const r of rows) line(r, false);
}

function labelled(doc: Doc, title: string, rows: Labelled[]): void {
  table(
    doc,
    [title, 'Count'],
    rows.map((r) => [r.label, r.count]),
    [0.7, 0.3],
  );
}

function incidents(doc: Doc, rows: IncidentRow[]): void {
  table(
    doc,
    ['Alert', 'Scenario', 'Source', 'Start', 'Events', 'Duration (s)'],
    rows.map((r) => [
      `#${r.alertId}`,
      r.scenario,
      r.source,
      r.start.slice(0, 19).replace('T', ' '),
      r.events,
      r.durationS,
    ]),
    [0.08, 0.32, 0.18, 0.2, 0.1, 0.12],
  );
}

function chart(doc: Doc, c: Chart): void {
  const m = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(c.svg);
  const w = m ? Number(m[1]) : 860;
  const h = m ? Number(m[2]) : 260;
  const height = (h * WIDTH) / w;
  if (doc.y + height + 20 > 800) doc.addPage();
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#222').text(c.title, MARGIN);
  if (c.values.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(9).text('no data this month');
    return;
  }
  const y = doc.y + 2;
  // the chart's own width/height attributes (pixels) would win over the options: size it to the column
  const svg = c.svg.replace(/^<svg width="[\d.]+" height="[\d.]+"/, `<svg width="${WIDTH}" height="${height}"`);
  SVGtoPDF(doc, svg, MARGIN, y, { width: WIDTH, height, assumePt: true, fontCallback: () => 'Helvetica' });
  doc.x = MARGIN;
  doc.y = y + height + 6;
}

function summary(doc: Doc, r: ReportData): void {
  const s = r.summary;
  const rows: [string, number, number][] = [
    ['Alerts', s.alerts, r.changes.alerts.delta],
    ['Attacking sources', s.sources, r.changes.sources.delta],
    ['Scenarios', s.scenarios, r.changes.scenarios.delta],
    ['Decisions issued', s.decisionsIssued, r.changes.decisionsIssued.delta],
    ['Countries', s.countries, r.changes.countries.delta],
  ];
  table(
    doc,
    ['Figure', 'This month', `Change vs ${r.previous.month}`],
    rows.map(([l, v, d]) => [l, v, `${d > 0 ? '+' : ''}${d}`]),
    [0.5, 0.25, 0.25],
  );
}

/** top scenarios, sources, countries, networks and ranges */
function tops(doc: Doc, r: ReportData): void {
  heading(doc, 'Top scenarios');
  table(
    doc,
    ['Scenario', 'Alerts', 'Sources'],
    r.topScenarios.map((s) => [s.scenario, s.alerts, s.sources]),
    [0.6, 0.2, 0.2],
  );
  heading(doc, 'Top sources');
  table(
    doc,
    ['Source', 'Country', 'AS', 'Range', 'Alerts'],
    r.topSources.map((s) => [s.value, s.country, s.asNumber ? `AS${s.asNumber} ${s.asName}` : '', s.range, s.alerts]),
    [0.22, 0.1, 0.3, 0.23, 0.15],
  );
  heading(doc, 'Countries, networks and ranges');
  table(
    doc,
    ['Country', 'Alerts', 'Sources'],
    r.topCountries.map((c) => [c.country, c.alerts, c.sources]),
    [0.5, 0.25, 0.25],
  );
  doc.moveDown(0.4);
  table(
    doc,
    ['AS', 'Name', 'Alerts', 'Sources'],
    r.topAs.map((a) => [`AS${a.asNumber}`, a.asName, a.alerts, a.sources]),
    [0.15, 0.45, 0.2, 0.2],
  );
  doc.moveDown(0.4);
  table(
    doc,
    ['Range', 'Alerts', 'Sources'],
    r.topRanges.map((g) => [g.range, g.alerts, g.sources]),
    [0.5, 0.25, 0.25],
  );
}

/** decisions, bouncers and crowd */
function enforcement(doc: Doc, r: ReportData): void {
  heading(doc, 'Decisions');
  doc.text(`Issued this month: ${r.decisions.issued} - active now: ${r.decisions.active}`, MARGIN);
  labelled(doc, 'Type', r.decisions.byType);
  labelled(doc, 'Origin (issued)', r.decisions.byOrigin);
  labelled(doc, 'Origin (active now)', r.decisions.activeByOrigin);
  heading(doc, 'What the bouncers enforced');
  if (r.bouncers.length === 0) doc.text('no bouncer registered', MARGIN);
  for (const b of r.bouncers) {
    doc
      .font('Helvetica-Bold')
      .text(
        `${b.name} (${b.type} ${b.version}) - last pull ${b.lastPull ?? 'never'} - ${b.reports} usage reports`,
        MARGIN,
      );
    table(
      doc,
      ['Metric', 'Origin', 'Unit', 'Value'],
      b.metrics.map((m) => [m.name, m.origin, m.unit, m.value]),
      [0.3, 0.25, 0.2, 0.25],
    );
  }
  heading(doc, 'Crowd');
  doc.text(
    `Received from the crowd and blocklists: ${r.crowd.receivedTotal} decisions - ` +
      `active now: ${r.crowd.activeReceived}`,
    MARGIN,
  );
  labelled(doc, 'Origin', r.crowd.received);
  if (r.crowd.shared === null)
    doc.text('Signals sent to the crowd are not recorded by this installation (no crowd ledger).', MARGIN);
  else {
    doc.text(`Signals shared (${r.crowd.shared.source}): ${r.crowd.shared.total}`, MARGIN);
    labelled(doc, 'Scenario', r.crowd.shared.byScenario);
  }
}

function notable(doc: Doc, r: ReportData): void {
  heading(doc, 'Notable incidents: largest');
  incidents(doc, r.incidents.largest);
  heading(doc, 'Notable incidents: longest');
  incidents(doc, r.incidents.longest);
  heading(doc, `New scenarios (not seen in ${r.previous.month})`);
  doc.text(r.incidents.newScenarios.length ? r.incidents.newScenarios.join(', ') : 'none', MARGIN);
}

export function renderPdf(r: ReportData, charts: Chart[] = reportCharts(r)): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Picket monthly report ${r.month}`, Author: 'Picket' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(18).text(`Picket security report - ${r.month}`);
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#666')
    .text(
      `${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)} (UTC, end excluded) - generated ${r.generatedAt}`,
    );
  if (!r.coverage.complete) {
    doc
      .fillColor('#b03a2e')
      .text(`Partial data: the oldest stored alert starts ${r.coverage.oldestAlert ?? '(none)'} (retention).`);
  }
  doc.moveDown(0.5);
  summary(doc, r);
  doc.moveDown(0.5);
  for (const c of charts) chart(doc, c);
  tops(doc, r);
  enforcement(doc, r);
  notable(doc, r);
  doc
    .moveDown(1)
    .fontSize(8)
    .fillColor('#777')
    .text(`GeoIP: ${r.geo.source ?? 'none'}. ${r.geo.attribution}.`, MARGIN);
  doc.end();
  return done;
}
