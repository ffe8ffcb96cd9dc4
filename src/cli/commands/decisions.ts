// `picket decisions list|add|delete|import`, modelled on cscli: everything goes through the running LAPI
// as a watcher (machine credentials file), so bouncers see changes on their next poll. `list` asks for the
// alerts with active decisions (`GET /v1/alerts?has_active_decision=true&include_capi=false&limit=100`) and
// shows their decisions; `add`/`import` post alerts carrying the decisions (import: 1,000 per alert);
// `delete` expires decisions (`DELETE /v1/decisions`). As CrowdSec 1.6+, `add` refuses an allowlisted Ip/Range
// and `import` skips them (POST /v1/allowlists/check) unless --bypass-allowlist.
// Owns: these sub-commands' options and output.

import fs from 'node:fs';
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
import { originIn } from '../../store/decision-filter.js';
import { Progress } from '../progress.js';
import { checkDuration, importAlert, importFormatOf, parseImport, targetOf } from '../decision-input.js';
import { manualAlert, valueProblem, type ManualDecision } from '../../api/manual-decision.js';
import { normaliseScope } from '../../api/scope.js';
import { parseWireDuration } from '../../api/wire-time.js';
import type { WatcherClient } from '../../client/watcher.js';
import type { AlertDecision, AlertQuery, AlertResponse, DecisionDeleteQuery } from '../../client/alerts.js';
import { errorMessage, errorCode } from '../../core/errors.js';

const IMPORT_BATCH = 1000;

const usage = `Usage: picket decisions list [--ip IP] [--range CIDR] [--type T] [--scope S] [--value V]
                               [--scenario S] [--origin O] [--all] [--limit N] [-o human|json|raw]
       picket decisions add (--ip IP | --range CIDR | --scope S --value V) [--duration 4h] [--type ban]
                               [--reason TEXT] [--bypass-allowlist]
       picket decisions delete (--ip IP | --range CIDR | --id ID | --type T | --scope S --value V |
                               --scenario S | --origin O | --all) [--contained]
       picket decisions import -i FILE [--format values|csv|json] [--duration 4h] [--type ban]
                               [--scope S] [--reason TEXT] [--batch N] [--bypass-allowlist]

Manage decisions through the running Local API (as a watcher, with the machine credentials file).

  list     active decisions (of the alerts that have one); --all includes CAPI/lists decisions
  add      add one decision (origin cscli); the default reason is "manual '<type>' from '<machine>'"
  delete   expire matching decisions (bouncers see them in their next delta's deleted list);
           --all expires every active decision
  import   add many decisions from a file (origin cscli-import), 1,000 per alert; formats: one
           value per line (values, default), CSV with a header (value, duration, type, scope, reason),
           JSON list of {"value", "duration", "type", "scope", "reason"}; "-i -" reads stdin

Options:
  -i, --ip IP        (list/add/delete) an IP;  (import) -i/--input FILE, the input file
  -r, --range CIDR   a range
  --scope S          Ip (default), Range, Country, AS, or any other scope
  -v, --value V      the value for --scope
  -d, --duration D   Go duration (+ d for days), default 4h
  -t, --type T       ban (default), captcha, ...
  -R, --reason TEXT  scenario/reason of the decision
  -s, --scenario S   (list/delete) scenario filter
  --origin O         (list/delete) origin filter (crowdsec, cscli, cscli-import, CAPI, lists ...)
  --id ID            (delete) one decision by id
  -a, --all          (list) include CAPI/lists decisions; (delete) every decision
  --contained        (list/delete) decisions contained in --range instead of containing it
  -l, --limit N      (list) number of alerts to read (default 100, 0 = all)
  --format F         (import) values, csv or json (default: from the file extension)
  --batch N          (import) decisions per alert (default 1000)
  --bypass-allowlist (add/import) add decisions on allowlisted IPs/ranges too (otherwise add refuses them
                     and import skips them, saying how many)
  -o FORMAT          human (default), json or raw (list)
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...FILTER_OPTIONS,
  duration: { type: 'string', short: 'd' },
  reason: { type: 'string', short: 'R' },
  format: { type: 'string' },
  batch: { type: 'string' },
  input: { type: 'string' },
  'bypass-allowlist': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

function intOption(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} ${String(v)}: expected a whole number ≥ ${min}`);
  return n;
}

function activeSeconds(d: AlertDecision): number {
  const ms = parseWireDuration(d.duration);
  return ms === null ? 0 : ms / 1000;
}

interface Row {
  alert: AlertResponse;
  d: AlertDecision;
}

function decisionRows(alerts: AlertResponse[], v: Values): Row[] {
  const rows: Row[] = [];
  const scope = v.scope !== undefined ? normaliseScope(v.scope as string) : undefined;
  for (const alert of alerts) {
    for (const d of alert.decisions ?? []) {
      if (activeSeconds(d) <= 0) continue; // expired/deleted decisions of an alert that still has an active one
      if (v.type !== undefined && d.type !== v.type) continue;
      if (v.origin !== undefined && !originIn([v.origin as string], d.origin)) continue;
      if (scope !== undefined && d.scope !== scope) continue;
      if (v.value !== undefined && d.value !== v.value) continue;
      rows.push({ alert, d });
    }
  }
  return rows;
}

async function list(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'decisions', 'list', [
    'ip',
    'range',
    'type',
    'scope',
    'value',
    'scenario',
    'origin',
    'all',
    'limit',
    'contained',
  ]);
  const fmt = outputFormat(v.output);
  const q: AlertQuery = {
    hasActiveDecision: true,
    includeCapi: v.all || v.origin !== undefined ? undefined : false,
    limit: intOption(v.limit, 'limit', 0) ?? 100,
    ip: v.ip as string | undefined,
    range: v.range as string | undefined,
    scope: v.scope as string | undefined,
    value: v.value as string | undefined,
    scenario: v.scenario as string | undefined,
    origin: v.origin as string | undefined,
    decisionType: v.type as string | undefined,
    contains: v.contained ? false : undefined,
  };
  if (q.ip !== undefined && valueProblem('Ip', q.ip)) throw new CliError(`--ip: ${valueProblem('Ip', q.ip)}`);
  if (q.range !== undefined && valueProblem('Range', q.range))
    throw new CliError(`--range: ${valueProblem('Range', q.range)}`);
  const ctx = resolveContext(v);
  const alerts = await withWatcher(ctx, (w) => w.listAlerts(q));
  if (fmt === 'json') {
    io.out(JSON.stringify(alerts, null, 2));
    return 0;
  }
  const rows = decisionRows(alerts, v);
  if (fmt === 'raw') {
    io.out(
      csvLine([
        'id',
        'source',
        'ip',
        'reason',
        'action',
        'country',
        'as',
        'events_count',
        'expiration',
        'simulated',
        'alert_id',
      ]),
    );
    for (const { alert: a, d } of rows) {
      io.out(
        csvLine([
          d.id,
          d.origin,
          `${d.scope}:${d.value}`,
          d.scenario,
          d.type,
          a.source.cn ?? '',
          asText(a.source),
          a.events_count,
          d.duration,
          Boolean(d.simulated),
          a.id,
        ]),
      );
    }
    return 0;
  }
  if (rows.length === 0) {
    io.out('No active decisions');
    return 0;
  }
  io.out(
    renderTable(
      ['ID', 'Source', 'Scope:Value', 'Reason', 'Action', 'Country', 'AS', 'Events', 'expiration', 'Alert ID'],
      rows.map(({ alert: a, d }) => [
        String(d.id),
        d.origin,
        `${d.scope}:${d.value}`,
        d.scenario,
        (d.simulated ? '(simul)' : '') + d.type,
        a.source.cn ?? '',
        asText(a.source),
        String(a.events_count),
        d.duration,
        String(a.id),
      ]),
    ),
  );
  if (alerts.length === (q.limit ?? 100) && q.limit !== 0)
    io.err(`(only the ${q.limit} most recent alerts were read: use --limit 0 for all)`);
  return 0;
}

async function add(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'decisions', 'add', [
    'ip',
    'range',
    'scope',
    'value',
    'duration',
    'type',
    'reason',
    'bypass-allowlist',
  ]);
  const target = targetOf({
    ip: v.ip as string | undefined,
    range: v.range as string | undefined,
    value: v.value as string | undefined,
    scope: v.scope as string | undefined,
  });
  const duration = checkDuration((v.duration as string | undefined) ?? '4h', '--duration');
  const type = (v.type as string | undefined) ?? 'ban';
  if (type === '') throw new CliError('--type: empty');
  const ctx = resolveContext(v);
  await withWatcher(ctx, async (w) => {
    if (!v['bypass-allowlist'] && (target.scope === 'Ip' || target.scope === 'Range')) {
      const lists = (await w.allowlisted([target.value])).get(target.value);
      if (lists !== undefined) {
        throw new CliError(
          `${target.value} is allowlisted by ${lists.join(', ')}: use --bypass-allowlist to add the decision anyway`,
          1,
        );
      }
    }
    const reason = (v.reason as string | undefined) ?? `manual '${type}' from '${w.machineId}'`;
    await w.pushAlerts([manualAlert({ ...target, type, duration, scenario: reason, origin: 'cscli' })]);
  });
  io.out('Decision successfully added');
  return 0;
}

async function del(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'decisions', 'delete', [
    'ip',
    'range',
    'id',
    'type',
    'scope',
    'value',
    'scenario',
    'origin',
    'all',
    'contained',
  ]);
  const filters = ['ip', 'range', 'id', 'type', 'scope', 'value', 'scenario', 'origin'].filter(
    (k) => (v as Record<string, unknown>)[k] !== undefined,
  );
  if (v.all && filters.length) throw new CliError('decisions delete: --all cannot be combined with filters');
  if (!v.all && filters.length === 0)
    throw new CliError(
      'decisions delete: give at least one filter (--ip, --range, --id, --type, --scope/--value, --scenario, --origin) or --all',
    );
  const ctx = resolveContext(v);
  let n: number;
  if (v.id !== undefined) {
    if (filters.length > 1) throw new CliError('decisions delete: --id cannot be combined with other filters');
    const id = intOption(v.id, 'id', 1) as number;
    n = await withWatcher(ctx, (w) => w.deleteDecision(id));
  } else {
    const ip = v.ip as string | undefined,
      range = v.range as string | undefined;
    if (ip !== undefined && valueProblem('Ip', ip)) throw new CliError(`--ip: ${valueProblem('Ip', ip)}`);
    if (range !== undefined && valueProblem('Range', range))
      throw new CliError(`--range: ${valueProblem('Range', range)}`);
    const q: DecisionDeleteQuery = {
      ip,
      range,
      type: v.type as string | undefined,
      scope: v.scope as string | undefined,
      value: v.value as string | undefined,
      scenario: v.scenario as string | undefined,
      origin: v.origin as string | undefined,
      contains: v.contained ? false : undefined,
    };
    n = await withWatcher(ctx, (w) => w.deleteDecisions(q));
  }
  io.out(`${n} decision(s) deleted`);
  return 0;
}

/** the decisions whose Ip/Range value no allowlist holds (asked 1,000 values at a time) */
async function withoutAllowlisted(w: WatcherClient, all: ManualDecision[]): Promise<ManualDecision[]> {
  const values = [...new Set(all.filter((d) => d.scope === 'Ip' || d.scope === 'Range').map((d) => d.value))];
  const listed = new Set<string>();
  for (let i = 0; i < values.length; i += IMPORT_BATCH) {
    for (const t of (await w.allowlisted(values.slice(i, i + IMPORT_BATCH))).keys()) listed.add(t);
  }
  return listed.size === 0 ? all : all.filter((d) => !listed.has(d.value));
}

async function importFile(v: Values, io: CliIO): Promise<number> {
  onlyOptions(v, 'decisions', 'import', [
    'ip',
    'input',
    'format',
    'duration',
    'type',
    'scope',
    'reason',
    'batch',
    'bypass-allowlist',
  ]);
  const file = (v.input ?? v.ip) as string | undefined; // -i is --input here, as in cscli
  if (file === undefined) throw new CliError('decisions import: -i FILE is required ("-i -" reads standard input)');
  const format = importFormatOf(file, v.format as string | undefined);
  const duration = checkDuration((v.duration as string | undefined) ?? '4h', '--duration');
  const batch = intOption(v.batch, 'batch', 1) ?? IMPORT_BATCH;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${errorCode(e) ?? errorMessage(e)}`, 1);
  }
  const name = file === '-' ? 'stdin' : file;
  const parsed = parseImport(text, name, format, {
    duration,
    type: (v.type as string | undefined) ?? 'ban',
    scope: v.scope as string | undefined,
    reason: (v.reason as string | undefined) ?? 'manual',
  });
  if (parsed.length === 0) {
    io.out('No decisions to import');
    return 0;
  }
  const ctx = resolveContext(v);
  let decisions = parsed;
  let progress: Progress | null = null;
  let sent = 0;
  try {
    await withWatcher(ctx, async (w) => {
      if (!v['bypass-allowlist']) {
        decisions = await withoutAllowlisted(w, parsed);
        if (decisions.length < parsed.length)
          io.out(
            `${parsed.length - decisions.length} decision(s) skipped: allowlisted (--bypass-allowlist imports them)`,
          );
      }
      progress = new Progress(decisions.length, 'importing');
      for (let i = 0; i < decisions.length; i += batch) {
        const chunk = decisions.slice(i, i + batch);
        await w.pushAlerts([importAlert(name, chunk)]);
        sent += chunk.length;
        progress.advance(chunk.length);
      }
    });
  } catch (e) {
    (progress as Progress | null)?.finish();
    if (sent > 0 && e instanceof CliError)
      throw new CliError(`${e.message} (after ${sent} of ${decisions.length} decisions were imported)`, e.exitCode);
    throw e;
  }
  (progress as Progress | null)?.finish();
  io.out(`Imported ${sent} decisions`);
  return 0;
}

export const decisionsCommand: Command = {
  name: 'decisions',
  summary: 'list, add, delete and import decisions (through the running LAPI)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('decisions', rest, OPTIONS, true);
    if (positionals.length) throw new CliError(`decisions ${sub ?? ''}: unexpected argument '${positionals[0]}'`);
    switch (sub) {
      case 'list':
        return list(values, io);
      case 'add':
        return add(values, io);
      case 'delete':
        return del(values, io);
      case 'import':
        return importFile(values, io);
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: list, add, delete or import (see picket decisions --help)'
            : `unknown sub-command '${sub}': expected list, add, delete or import`,
        );
    }
  },
};
