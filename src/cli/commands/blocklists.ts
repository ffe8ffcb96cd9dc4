// `picket blocklists add|list|delete` (issue 13, crowdsec#683): subscriptions to blocklists served at a URL (plain
// text, one IP or CIDR a line, or CrowdSec's JSON decision shapes), kept in the store of the data folder; the
// running LAPI downloads each one every interval and keeps its decisions (origin `lists:NAME`). `list` also shows
// the lists the central API names (`links.blocklists`) with their last sync, entries and ETag; `delete` removes
// the subscription and expires its decisions at once (bouncers drop them on their next poll).
// Owns: these sub-commands' options and output.

import { CliError, parseOptions, type CliIO, type Command } from '../command.js';
import { COMMON_HELP, COMMON_OPTIONS, openDataStore, resolveContext } from '../api-context.js';
import { outputFormat } from '../output.js';
import { renderTable } from '../table.js';
import type { PicketStore } from '../../store/lmdb.js';
import { openLapiStore } from '../../store/lapi-store.js';
import {
  BlocklistError,
  BlocklistTable,
  checkBlocklistName,
  emptyState,
  type BlocklistRecord,
} from '../../store/blocklists.js';
import { formatGoSeconds, formatRfc3339, parseWireDuration } from '../../api/wire-time.js';
import { normaliseScope } from '../../api/scope.js';
import { removeListDecisions } from '../../capi/lists.js';

const usage = `Usage: picket blocklists add NAME --url URL [--interval 1h] [--duration 24h] [--type ban] [--scope ip]
       picket blocklists list [-o human|json]
       picket blocklists delete NAME

Subscribe the Local API to blocklists served at a URL: plain text (one IP or CIDR range a line, '#' and ';'
comments) or CrowdSec's JSON decisions. The running LAPI downloads each list every interval (conditionally:
ETag / If-Modified-Since) and replaces its decisions (origin lists:NAME, scenario NAME) as a whole; a local
allowlist always wins. 'list' also shows the lists the central API names. 'delete' expires the list's decisions.

Options:
  --url URL          http:// or https:// address of the list (add)
  --interval DUR     how often it is downloaded (add; default 1h, at least 1m)
  --duration DUR     how long its decisions last after each download (add; default 24h)
  --type TYPE        decision type (add; default ban)
  --scope SCOPE      ip (default) or range: the scope of single addresses (a CIDR line is always a range)
  -o FORMAT          human (default) or json
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  url: { type: 'string' },
  interval: { type: 'string' },
  duration: { type: 'string' },
  type: { type: 'string' },
  scope: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

const MIN_INTERVAL_MS = 60_000;

async function withTable<T>(dataDir: string, f: (t: BlocklistTable, env: PicketStore) => Promise<T>): Promise<T> {
  const env = openDataStore(dataDir);
  try {
    return await f(new BlocklistTable(env), env);
  } catch (e) {
    if (e instanceof BlocklistError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    await env.close();
  }
}

function durationOption(v: unknown, flag: string, def: number, min: number): number {
  if (v === undefined) return def;
  const ms = parseWireDuration(String(v));
  if (ms === null || ms < min)
    throw new CliError(`--${flag} '${String(v)}': expected a duration of at least ${formatGoSeconds(min / 1000)}`);
  return ms;
}

/** the record `add` stores; every error names the flag */
export function subscription(name: string, v: Record<string, unknown>, now: number): BlocklistRecord {
  try {
    checkBlocklistName(name);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const url = v.url as string | undefined;
  if (url === undefined) throw new CliError('blocklists add: --url URL is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url '${url}': not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError(`--url '${url}': http:// or https:// expected`);
  const scope = normaliseScope((v.scope as string | undefined) ?? 'ip');
  if (scope !== 'Ip' && scope !== 'Range') throw new CliError(`--scope '${String(v.scope)}': ip or range expected`);
  const type = (v.type as string | undefined) ?? 'ban';
  if (!/^[\w-]{1,64}$/.test(type)) throw new CliError(`--type '${type}': a word such as ban or captcha expected`);
  return {
    name,
    url,
    source: 'user',
    type,
    scope,
    durationMs: durationOption(v.duration, 'duration', 24 * 3_600_000, 1_000),
    intervalMs: durationOption(v.interval, 'interval', 3_600_000, MIN_INTERVAL_MS),
    createdAt: now,
    state: emptyState(),
  };
}

const when = (ms: number): string | null => (ms > 0 ? formatRfc3339(ms) : null);
/** pre-signed URLs carry their signature in the query string: never shown */
const shownUrl = (r: BlocklistRecord): string => (r.source === 'capi' ? r.url.split('?')[0] : r.url);

function listJSON(r: BlocklistRecord) {
  return {
    name: r.name,
    source: r.source,
    url: shownUrl(r),
    type: r.type,
    scope: r.scope,
    duration: formatGoSeconds(Math.round(r.durationMs / 1000)),
    interval: formatGoSeconds(Math.round(r.intervalMs / 1000)),
    created_at: when(r.createdAt),
    last_attempt: when(r.state.lastAttempt),
    last_sync: when(r.state.lastSync),
    outcome: r.state.outcome,
    entries: r.state.entries,
    invalid: r.state.invalid,
    allowlisted: r.state.allowlisted,
    etag: r.state.etag,
    last_modified: r.state.lastModified,
  };
}

function printList(list: BlocklistRecord[], fmt: string, io: CliIO): void {
  if (fmt === 'json') {
    io.out(JSON.stringify(list.map(listJSON), null, 2));
    return;
  }
  if (list.length === 0) {
    io.out('No blocklists');
    return;
  }
  io.out(
    renderTable(
      ['Name', 'Source', 'URL', 'Type', 'Interval', 'Duration', 'Last sync', 'Entries', 'ETag', 'Outcome'],
      list.map((r) => {
        const j = listJSON(r);
        return [
          j.name,
          j.source,
          j.url,
          j.type,
          j.interval,
          j.duration,
          j.last_sync ?? 'never',
          String(j.entries),
          j.etag,
          j.outcome.slice(0, 60),
        ];
      }),
    ),
  );
}

export const blocklistsCommand: Command = {
  name: 'blocklists',
  summary: 'subscribe to blocklists served at a URL (add, list, delete)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseOptions('blocklists', rest, OPTIONS, true);
    const fmt = outputFormat(values.output, ['human', 'json']);
    const { dataDir } = resolveContext(values);
    switch (sub) {
      case 'add': {
        if (positionals.length !== 1) throw new CliError('blocklists add: expected one NAME (and --url URL)');
        const rec = subscription(positionals[0], values, Date.now());
        await withTable(dataDir, (t) => t.add(rec));
        if (fmt === 'json') io.out(JSON.stringify(listJSON(rec), null, 2));
        else io.out(`blocklist '${rec.name}' added: the running Local API downloads it within a few seconds`);
        return 0;
      }
      case 'list': {
        if (positionals.length) throw new CliError(`blocklists list: unexpected argument '${positionals[0]}'`);
        printList(await withTable(dataDir, async (t) => t.list()), fmt, io);
        return 0;
      }
      case 'delete': {
        if (positionals.length !== 1) throw new CliError('blocklists delete: expected one NAME');
        const name = positionals[0];
        const expired = await withTable(dataDir, async (t, env) => {
          const rec = t.get(name);
          if (!rec) throw new CliError(`blocklist '${name}' does not exist`, 1);
          await t.delete(name);
          const store = openLapiStore(env, { syncIntervalMs: 0 });
          try {
            return await removeListDecisions({ store }, name, Date.now());
          } finally {
            await store.close();
          }
        });
        if (fmt === 'json') io.out(JSON.stringify({ name, deleted: true, decisions_expired: expired }));
        else io.out(`blocklist '${name}' deleted; ${expired} active decision(s) expired`);
        return 0;
      }
      default:
        throw new CliError(
          sub === undefined
            ? 'expected a sub-command: add, list, delete'
            : `unknown sub-command '${sub}': expected add, list, delete`,
        );
    }
  },
};
