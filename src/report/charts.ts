// The report's charts, drawn by Apache ECharts' server-side SVG renderer (no DOM, no browser): attacks per
// day, top scenarios, top countries and decisions by origin. Each chart has one bar series of its own
// colour (`color`), so a reader (and the browser test) can find its bars; `values` are the plotted numbers.

import * as echarts from 'echarts';
import type { ReportData } from './types.js';

export interface Chart {
  id: string;
  title: string;
  color: string;
  /** one bar per value, in order */
  values: number[];
  svg: string;
}

const AXIS = { color: '#555', fontSize: 11 };

function render(width: number, height: number, option: echarts.EChartsOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function columns(labels: string[], values: number[], color: string, width: number, name: string): string {
  return render(width, 260, {
    grid: { left: 48, right: 16, top: 24, bottom: 48 },
    xAxis: { type: 'category', data: labels, axisLabel: { ...AXIS, rotate: labels.length > 12 ? 45 : 0 } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: AXIS },
    series: [{ type: 'bar', name, data: values, itemStyle: { color }, barMaxWidth: 28 }],
  });
}

function horizontal(labels: string[], values: number[], color: string, width: number, name: string): string {
  // ECharts draws the first category at the bottom: reverse so the largest is on top
  const l = [...labels].reverse();
  const v = [...values].reverse();
  return render(width, Math.max(120, 40 + 26 * l.length), {
    grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: AXIS },
    yAxis: { type: 'category', data: l, axisLabel: { ...AXIS, width: 220, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        name,
        data: v,
        itemStyle: { color },
        barMaxWidth: 20,
        label: { show: true, position: 'right', fontSize: 11 },
      },
    ],
  });
}

interface ChartSpec {
  id: string;
  title: string;
  color: string;
  kind: 'columns' | 'horizontal';
  series: string;
  rows: { label: string; value: number }[];
}

function specs(r: ReportData): ChartSpec[] {
  return [
    {
      id: 'attacks-per-day',
      title: 'Attacks (alerts) per day',
      color: '#c0392b',
      kind: 'columns',
      series: 'alerts',
      rows: r.attacksPerDay.map((d) => ({ label: d.date.slice(8), value: d.alerts })),
    },
    {
      id: 'top-scenarios',
      title: 'Top scenarios (alerts)',
      color: '#d35400',
      kind: 'horizontal',
      series: 'alerts',
      rows: r.topScenarios.map((s) => ({ label: s.scenario, value: s.alerts })),
    },
    {
      id: 'top-countries',
      title: 'Top source countries (alerts)',
      color: '#2471a3',
      kind: 'horizontal',
      series: 'alerts',
      rows: r.topCountries.map((c) => ({ label: c.country, value: c.alerts })),
    },
    {
      id: 'decisions-by-origin',
      title: 'Decisions issued by origin',
      color: '#1e8449',
      kind: 'horizontal',
      series: 'decisions',
      rows: r.decisions.byOrigin.map((o) => ({ label: o.label, value: o.count })),
    },
  ];
}

export function reportCharts(r: ReportData, width = 860): Chart[] {
  return specs(r).map((s) => {
    const labels = s.rows.map((x) => x.label);
    const values = s.rows.map((x) => x.value);
    const draw = s.kind === 'columns' ? columns : horizontal;
    return { id: s.id, title: s.title, color: s.color, values, svg: draw(labels, values, s.color, width, s.series) };
  });
}
