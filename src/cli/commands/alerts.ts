// `picket alerts list|inspect|delete`, modelled on cscli: reads and deletes alerts through the running LAPI
// as a watcher (`GET /v1/alerts`, `GET /v1/alerts/:id`, `DELETE /v1/alerts[/:id]`; deleting needs a
// trusted IP, loopback is). Owns: these sub-commands' options and output.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import {
  COMMON_HELP,
  COMMON_OPTIONS,
  FILTER_OPTIONS,
  onlyOptions,
  resolveContext,
  withWatcher,
} from '../api-context.js';
import { asText, csvLine, outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import { valueProblem } from '../../api/manual-decision.js';
import type { AlertQuery, AlertResponse } from '../../client/alerts.js';

const usage = `Usage: picket alerts list [--ip IP] [--range CIDR] [--scope S] [--value V] [--scenario S]
                            [--type T] [--origin O] [--since D] [--until D] [--all] [--limit N]
                            [-o human|json|raw]
       picket alerts inspect ID [ID ...] [--details] [-o human|json]
       picket alerts delete (--ip IP | --range CIDR | --scope S --value V | --scenario S | --id ID | --all)

Read and delete alerts through the running Local API (as a watcher, with the machine credentials file).

  list      most recent alerts first (default 50; --limit 0 = all); --all includes CAPI/lists alerts
  inspect   one alert with its decisions (--details: its events too)
  delete    delete matching alerts with their decisions, events and meta (a hard delete: bouncers
            in delta mode are not told; use \`picket decisions delete\` to lift a ban)

Options:
  -i, --ip IP        alerts with a decision covering IP
  -r, --range CIDR   alerts with a decision covering the range (--contained: inside it)
  --scope S, -v/--value V   alert source scope / value
  -s, --scenario S   scenario
  -t, --type T       (list) with a decision of this type
  --origin O         (list) with a decision of this origin
  --since D, --until D   (list) started after now-D / before now-D (Go duration, e.g. 1h, 7d)
  --id ID            (delete) one alert
  -a, --all          (list) include CAPI/lists alerts; (delete) every alert
  -l, --limit N      (list) number of alerts (default 50, 0 = all)
  --details          (inspect) show the events
  -o FORMAT          human (default), json or raw
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...FILTER_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  details: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

function checkTargets(v: Values): void {
  if (v.ip !== undefined && valueProblem('Ip', v.ip as string))
    throw new CliError(`--ip: ${valueProblem('Ip', v.ip as string)}`);
  if (v.range !== undefined && valueProblem('Range', v.range as string))
    throw new CliError(`--range: ${valueProblem('Range', v.range as string)}`);
}

function decisionsSummary(a: AlertResponse): string {
  const counts = new Map<string, number>();
  for (const d of a.decisions ?? []) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t}:${n}`).join(' ');
}

function scopeValue(a: AlertResponse): string {
  return a.source.scope || a.source.value ? `${a.source.scope}:${a.source.value}` : '';
}

async function list(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'alerts', 'list', [
    'ip',
    'range',
    'scope',
    'value',
    'scenario',
    'type',
    'origin',
    'since',
    'until',
    'all',
    'limit',
    'contained',
  ]);
  const fmt = outputFormat(v.output);
  checkTargets(v);
  let limit = 50;
  if (v.limit !== undefined) {
    limit = Number(v.limit);
    if (!Number.isInteger(limit) || limit < 0)
      throw new CliError(`--limit ${String(v.limit)}: expected a whole number ≥ 0`);
  }
  const q: AlertQuery = {
    ip: v.ip as string | undefined,
    range: v.range as string | undefined,
    scope: v.scope as string | undefined,
    value: v.value as string | undefined,
    scenario: v.scenario as string | undefined,
    decisionType: v.type as string | undefined,
    origin: v.origin as string | undefined,
    since: v.since as string | undefined,
    until: v.until as string | undefined,
    contains: v.contained ? false : undefined,
    includeCapi: v.all || v.origin !== undefined ? undefined : false,
    limit,
  };
  const alerts = await withWatcher(resolveContext(v), (w) => w.listAlerts(q));
  if (fmt === 'json') {
    io.out(JSON.stringify(alerts, null, 2));
    return 0;
  }
  if (fmt === 'raw') {
    io.out(csvLine(['id', 'scope', 'value', 'reason', 'country', 'as', 'decisions', 'created_at']));
    for (const a of alerts)
      io.out(
        csvLine([
          a.id,
          a.source.scope,
          a.source.value,
          a.scenario,
          a.source.cn ?? '',
          asText(a.source),
          decisionsSummary(a),
          a.created_at,
        ]),
      );
    return 0;
  }
  if (alerts.length === 0) {
    io.out('No active alerts');
    return 0;
  }
  io.out(
    renderTable(
      ['ID', 'value', 'reason', 'country', 'as', 'decisions', 'created_at'],
      alerts.map((a) => [
        String(a.id),
        scopeValue(a),
        a.scenario,
        a.source.cn ?? '',
        asText(a.source),
        decisionsSummary(a),
        a.created_at,
      ]),
    ),
  );
  return 0;
}

function inspectText(a: AlertResponse, details: boolean): string {
  const out: string[] = [
    '#'.repeat(80),
    '',
    ` - ID           : ${a.id}`,
    ` - Date         : ${a.created_at}`,
    ` - Machine      : ${a.machine_id}`,
    ` - Simulation   : ${a.simulated}`,
    ` - Reason       : ${a.scenario}`,
    ` - Events Count : ${a.events_count}`,
    ` - Scope:Value  : ${scopeValue(a)}`,
    ` - Country      : ${a.source.cn ?? ''}`,
    ` - AS           : ${asText(a.source)}`,
    ` - Begin        : ${a.start_at}`,
    ` - End          : ${a.stop_at}`,
    ` - UUID         : ${a.uuid ?? ''}`,
    '',
  ];
  const ds = a.decisions ?? [];
  if (ds.length) {
    out.push(' - Decisions:');
    out.push(
      renderTable(
        ['ID', 'scope:value', 'action', 'expiration', 'created_at'],
        ds.map((d) => [
          String(d.id),
          `${d.scope}:${d.value}`,
          (d.simulated ? '(simul)' : '') + d.type,
          d.duration,
          a.created_at,
        ]),
      ),
    );
  } else out.push(' - Decisions: none');
  if (a.meta && a.meta.length) {
    out.push('', ' - Context:');
    out.push(
      renderTable(
        ['Key', 'Value'],
        a.meta.map((m) => [m.key, m.value]),
      ),
    );
  }
  if (details) {
    out.push('', ' - Events:');
    for (const e of a.events ?? []) {
      out.push('', `- Date: ${e.timestamp}`);
      out.push(
        renderTable(
          ['Key', 'Value'],
          (e.meta ?? []).map((m) => [m.key, m.value]),
        ),
      );
    }
  }
  return out.join('\n');
}

async function inspect(v: Values, ids: string[], io: CliIO): Promise<number> {
  onlyOptions(v, 'alerts', 'inspect', ['details']);
  const fmt = outputFormat(v.output, ['human', 'json']);
  if (ids.length === 0) throw new CliError('alerts inspect: expected an alert ID');
  for (const id of ids)
    if (!/^\d+$/.test(id)) throw new CliError(`alerts inspect: '${id}' is not an alert id (a number)`);
  const alerts = await withWatcher(resolveContext(v), async (w) => {
    const out: AlertResponse[] = [];
    for (const id of ids) out.push(await w.getAlert(id));
    return out;
  });
  for (const a of alerts) io.out(fmt === 'json' ? JSON.stringify(a, null, 2) : inspectText(a, v.details === true));
  return 0;
}

async function del(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'alerts', 'delete', ['ip', 'range', 'scope', 'value', 'scenario', 'id', 'all', 'contained']);
  const filters = ['ip', 'range', 'scope', 'value', 'scenario', 'id'].filter(
    (k) => (v as Record<string, unknown>)[k] !== undefined,
  );
  if (v.all && filters.length) throw new CliError('alerts delete: --all cannot be combined with filters');
  if (!v.all && filters.length === 0)
    throw new CliError(
      'alerts delete: give at least one filter (--ip, --range, --scope/--value, --scenario, --id) or --all',
    );
  checkTargets(v);
  const ctx = resolveContext(v);
  let n: number;
  if (v.id !== undefined) {
    if (filters.length > 1) throw new CliError('alerts delete: --id cannot be combined with other filters');
    if (!/^\d+$/.test(v.id as string)) throw new CliError(`--id ${String(v.id)}: expected an alert id (a number)`);
    n = await withWatcher(ctx, (w) => w.deleteAlert(v.id as string));
  } else {
    const q: AlertQuery = {
      ip: v.ip as string | undefined,
      range: v.range as string | undefined,
      scope: v.scope as string | undefined,
      value: v.value as string | undefined,
      scenario: v.scenario as string | undefined,
      contains: v.contained ? false : undefined,
    };
    n = await withWatcher(ctx, (w) => w.deleteAlerts(q));
  }
  io.out(`${n} alert(s) deleted`);
  return 0;
}

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'list, inspect and delete alerts (through the running LAPI)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('alerts', rest, OPTIONS, true);
    if (sub !== 'inspect' && positionals.length)
      throw new CliError(`alerts ${sub ?? ''}: unexpected argument '${positionals[0]}'`);
    switch (sub) {
      case 'list':
        return list(values, io);
      case 'inspect':
        return inspect(values, positionals, io);
      case 'delete':
        return del(values, io);
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: list, inspect or delete (see picket alerts --help)'
            : `unknown sub-command '${sub}': expected list, inspect or delete`,
        );
    }
  },
};
