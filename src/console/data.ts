// What the console's JSON API shows, read from the LAPI store: the dashboard figures, alerts and decisions
// under cscli's filters (ip, range, scenario, origin, type, since), and the manual decision alert that
// "add decision" ingests (origin cscli, as `picket decisions add`).

import type { AlertFilter, AlertRecord, DecisionFilter, DecisionRecord, LapiStore } from '../store/records.js';
import type { AlertInput } from '../api/alerts.js';
import { manualAlert, valueProblem } from '../api/manual-decision.js';
import { parseWireDuration } from '../api/wire-time.js';
import { parseIpOrRange } from '../store/iprange.js';
import { PicketError } from '../core/errors.js';

const HOUR = 3_600_000;

export class ConsoleInputError extends PicketError {}

function bad(field: string, why: string): never {
  throw new ConsoleInputError('CONSOLE_BAD_INPUT', `${field}: ${why}`);
}

/** a positive wire duration (Go units and `d` days: 30m, 4h, 7d) in milliseconds, or a 400 naming the field */
export function durationMs(field: string, s: string): number {
  const ms = parseWireDuration(s);
  if (ms === null || ms <= 0) bad(field, `'${s}' is not a duration like 30m, 4h or 7d`);
  return ms;
}

export function alertFilter(q: URLSearchParams, now: number): AlertFilter {
  const f: AlertFilter = { limit: 200, includeCapi: false };
  const ip = q.get('ip') || q.get('range');
  if (ip) {
    const r = parseIpOrRange(ip);
    if (r === null) bad('ip', `'${ip}' is not an IP or range`);
    f.range = r;
  }
  if (q.get('scenario')) f.scenario = q.get('scenario')!;
  if (q.get('origin')) f.origin = q.get('origin')!;
  if (q.get('type')) f.decisionType = q.get('type')!;
  if (q.get('since')) f.since = now - durationMs('since', q.get('since')!);
  return f;
}

export function decisionFilter(q: URLSearchParams): DecisionFilter {
  const f: DecisionFilter = {};
  const ip = q.get('ip') || q.get('range');
  if (ip) {
    const r = parseIpOrRange(ip);
    if (r === null) bad('ip', `'${ip}' is not an IP or range`);
    f.range = r;
  }
  if (q.get('scenario')) f.scenariosContaining = [q.get('scenario')!.toLowerCase()];
  if (q.get('origin')) f.origins = [q.get('origin')!];
  if (q.get('type')) f.type = q.get('type')!;
  return f;
}

export const alertJson = (a: AlertRecord) => ({
  id: a.id,
  scenario: a.scenario,
  scope: a.source.scope,
  value: a.source.value,
  machine: a.machineId,
  events: a.eventsCount,
  createdAt: a.createdAt,
  decisions: a.decisionIds.length,
});
export const decisionJson = (d: DecisionRecord) => ({
  id: d.id,
  value: d.value,
  scope: d.scope,
  type: d.type,
  origin: d.origin,
  scenario: d.scenario,
  until: d.until,
  alertId: d.alertId,
});

function top(values: string[], n: number): { name: string; count: number }[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, count]) => ({ name, count }));
}

export function dashboard(store: LapiStore, now: number) {
  const alerts = store.queryAlerts({ limit: 0, since: now - 24 * HOUR }, now);
  const perHour = new Array<number>(24).fill(0);
  for (const a of alerts) {
    const i = 23 - Math.floor((now - a.createdAt) / HOUR);
    if (i >= 0 && i < 24) perHour[i]!++;
  }
  const active = store.queryDecisions({}, now);
  return {
    alerts24h: alerts.length,
    perHour,
    topScenarios: top(
      alerts.map((a) => a.scenario),
      5,
    ),
    topSources: top(
      alerts.map((a) => a.source.value),
      5,
    ),
    activeDecisions: active.length,
    crowdDecisions: active.filter((d) => d.origin === 'CAPI' || d.origin === 'lists').length,
    bouncers: store.listBouncers().map((b) => ({ name: b.name, type: b.type, lastContact: b.lastPull })),
    agents: store.listMachines().map((m) => ({ name: m.machineId, lastContact: m.lastHeartbeat ?? m.lastPush })),
  };
}

/** the console's "add decision" form -> the alert `picket decisions add` posts (src/api/manual-decision.ts) */
export function manualDecision(body: Record<string, unknown>, user: string, now: number): AlertInput {
  const value = typeof body.value === 'string' ? body.value.trim() : '';
  const scope = value.includes('/') ? 'Range' : 'Ip';
  const problem = valueProblem(scope, value);
  if (problem !== null) bad('value', problem);
  const duration = typeof body.duration === 'string' && body.duration !== '' ? body.duration : '4h';
  durationMs('duration', duration);
  const type = typeof body.type === 'string' && /^[\w-]{1,32}$/.test(body.type) ? body.type : 'ban';
  const scenario =
    typeof body.reason === 'string' && body.reason !== ''
      ? body.reason.slice(0, 200)
      : `manual '${type}' from console user '${user}'`;
  return manualAlert({ value, scope, type, duration, scenario, origin: 'cscli' }, now);
}
