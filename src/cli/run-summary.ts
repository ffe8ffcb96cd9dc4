// The periodic one-line throughput summary of `picket run` (every `summaryMs`, default 60 s), e.g.
//   `picket run: last 60s: 1200 lines (20/s), 900 parsed, 300 unparsed, 2 alerts; total 5400 lines, 7 alerts`
// computed from the pipeline's counters (one counters() call per period, nothing per line). Owns: the line.

import type { AgentCounters } from '../pipeline/agent.js';

export interface Totals {
  lines: number;
  parsed: number;
  unparsed: number;
  alerts: number;
}

export function totalsOf(c: AgentCounters): Totals {
  let lines = 0,
    alerts = 0;
  for (const v of Object.values(c.lines)) lines += v;
  for (const v of Object.values(c.alerts)) alerts += v;
  return { lines, parsed: c.parsed, unparsed: c.unparsed, alerts };
}

export function summaryLine(prev: Totals, now: Totals, seconds: number): string {
  const d = (k: keyof Totals) => now[k] - prev[k];
  const rate = seconds > 0 ? Math.round(d('lines') / seconds) : 0;
  return (
    `last ${Math.round(seconds)}s: ${d('lines')} lines (${rate}/s), ${d('parsed')} parsed, ${d('unparsed')} unparsed, ` +
    `${d('alerts')} alerts; total ${now.lines} lines, ${now.alerts} alerts`
  );
}
