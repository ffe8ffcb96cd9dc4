// The usage-metrics push to the central API (capi.md §7): POST /v3/usage-metrics with the LAPI's AllMetrics
// aggregated over every local component — one remediation_components entry per bouncer carrying every metrics
// window it reported and that was not pushed yet, one log_processors entry per machine (the same), and `lapi` with
// the enabled console options and one empty window. Owns: that body, marking the included rows pushed (on 2xx and
// on 422, so a payload the central will never accept is not resent) and the timer (first after 15-45 min, random,
// then every 30 min).

import fs from 'node:fs';
import os from 'node:os';
import { errorMessage } from '../core/errors.js';
import { PICKET_VERSION } from '../metrics/registry.js';
import type { BouncerRecord, MachineRecord } from '../store/records.js';
import type { UsageMetricsKey, UsageMetricsRow } from '../store/usage-metrics-table.js';
import type { CapiClient } from './client.js';
import type { OnlineClientConfig } from './config.js';

export const USAGE_EVERY_MS = 30 * 60_000;
const FIRST_MIN_MS = 15 * 60_000;
const FIRST_SPAN_MS = 30 * 60_000;

/** what the push reads and marks (LmdbLapiStore has it) */
export interface UsageMetricsSource {
  listBouncers(): BouncerRecord[];
  listMachines(): MachineRecord[];
  listUnpushedUsageMetrics(): UsageMetricsRow[];
  markUsageMetricsPushed(keys: readonly UsageMetricsKey[], at: number): Promise<number>;
}

export function isUsageMetricsSource(s: object): s is UsageMetricsSource {
  const o = s as Partial<UsageMetricsSource>;
  return typeof o.listUnpushedUsageMetrics === 'function' && typeof o.markUsageMetricsPushed === 'function';
}

type Obj = Record<string, unknown>;

export interface UsageBody {
  remediation_components: Obj[];
  log_processors: Obj[];
  lapi: Obj;
}

const seconds = (ms: number | null | undefined): number | undefined =>
  ms === null || ms === undefined ? undefined : Math.floor(ms / 1000);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** the component item of a stored AllMetrics body (remediation_components[0] or log_processors[0]), or {} */
function componentOf(row: UsageMetricsRow): Obj {
  try {
    const body: unknown = JSON.parse(row.value.payload);
    if (!isObj(body)) return {};
    const list = body[row.value.generatedType === 'RC' ? 'remediation_components' : 'log_processors'];
    return Array.isArray(list) && isObj(list[0]) ? list[0] : {};
  } catch {
    return {};
  }
}

interface Reported {
  /** the latest reported item (os, feature flags, hub items, ...) */
  latest: Obj;
  /** every window of every row, oldest first */
  windows: unknown[];
  keys: UsageMetricsKey[];
}

function groupRows(rows: readonly UsageMetricsRow[]): Map<string, Reported> {
  const out = new Map<string, Reported>();
  for (const row of rows) {
    const id = `${row.value.generatedType}\n${row.value.generatedBy}`;
    let r = out.get(id);
    if (!r) out.set(id, (r = { latest: {}, windows: [], keys: [] }));
    const item = componentOf(row);
    r.latest = item;
    if (Array.isArray(item.metrics)) r.windows.push(...(item.metrics as unknown[]));
    else if (isObj(item.metrics)) r.windows.push(item.metrics);
    r.keys.push(row.key);
  }
  return out;
}

const NO_OS = { name: '', version: '' };

function common(latest: Obj): Obj {
  return {
    os: isObj(latest.os) ? latest.os : NO_OS,
    feature_flags: Array.isArray(latest.feature_flags) ? latest.feature_flags : [],
    ...(typeof latest.utc_startup_timestamp === 'number'
      ? { utc_startup_timestamp: latest.utc_startup_timestamp }
      : {}),
  };
}

/** the host's OS as CrowdSec reports it (/etc/os-release ID and VERSION_ID, else Node's platform and release) */
function hostOs(): { name: string; version: string } {
  const kv = new Map<string, string>();
  try {
    for (const line of fs.readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^(\w+)=(.*)$/.exec(line);
      if (m) kv.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
    }
  } catch {
    // no os-release: Node's view below
  }
  return { name: kv.get('ID') || os.platform(), version: kv.get('VERSION_ID') || os.release() };
}

const STARTED_S = Math.floor((Date.now() - process.uptime() * 1000) / 1000);

/** the enabled share_* console options, as CrowdSec sends them: one comma-joined string in a one-item array */
export function consoleOptions(c: OnlineClientConfig): string[] {
  const on: [boolean, string][] = [
    [c.shareCustom, 'share_custom'],
    [c.shareTainted, 'share_tainted'],
    [c.shareManualDecisions, 'share_manual_decisions'],
    [c.shareContext, 'share_context'],
  ];
  return [
    on
      .filter(([b]) => b)
      .map(([, n]) => n)
      .join(','),
  ];
}

/** the body of POST /v3/usage-metrics and the keys of the rows it includes */
export function usageBody(
  src: UsageMetricsSource,
  config: OnlineClientConfig,
  now: number,
  windowMs = USAGE_EVERY_MS,
): { body: UsageBody; keys: UsageMetricsKey[] } {
  const groups = groupRows(src.listUnpushedUsageMetrics());
  const keys: UsageMetricsKey[] = [];
  const take = (type: 'RC' | 'LP', name: string): Reported => {
    const r = groups.get(`${type}\n${name}`) ?? { latest: {}, windows: [], keys: [] };
    keys.push(...r.keys);
    return r;
  };
  const remediation = src.listBouncers().map((b) => {
    const r = take('RC', b.name);
    return {
      name: b.name,
      type: b.type.split('/')[0] ?? '',
      version: b.version || (typeof r.latest.version === 'string' ? r.latest.version : ''),
      ...common(r.latest),
      last_pull: seconds(b.lastPull),
      metrics: r.windows,
    };
  });
  const processors = src.listMachines().map((m) => {
    const r = take('LP', m.machineId);
    return {
      name: m.machineId,
      version: m.version || (typeof r.latest.version === 'string' ? r.latest.version : ''),
      ...common(r.latest),
      hub_items: isObj(r.latest.hub_items) ? r.latest.hub_items : {},
      datasources: isObj(r.latest.datasources) ? r.latest.datasources : {},
      last_push: seconds(m.lastPush),
      last_update: seconds(m.lastHeartbeat ?? m.updatedAt),
      metrics: r.windows,
    };
  });
  const lapi = {
    version: `v${PICKET_VERSION}`,
    os: hostOs(),
    feature_flags: [],
    utc_startup_timestamp: STARTED_S,
    console_options: consoleOptions(config),
    metrics: [
      { meta: { window_size_seconds: Math.round(windowMs / 1000), utc_now_timestamp: seconds(now) }, items: [] },
    ],
  };
  return { body: { remediation_components: remediation, log_processors: processors, lapi }, keys };
}

export interface UsagePusherOptions {
  /** first push after this long (default: 15-45 min, random) */
  firstMs?: number;
  everyMs?: number;
  log?: (line: string) => void;
}

/** the push loop: start() sends after `firstMs`, then every `everyMs` */
export class UsagePusher {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<unknown> | null = null;
  private stopped = false;
  /** pushes accepted (2xx), refused with 422, failed */
  readonly counters = { sent: 0, refused: 0, failed: 0, rowsMarked: 0 };

  constructor(
    private readonly src: UsageMetricsSource,
    private readonly client: CapiClient,
    private readonly config: OnlineClientConfig,
    private readonly o: UsagePusherOptions = {},
  ) {}

  start(): void {
    this.arm(this.o.firstMs ?? FIRST_MIN_MS + Math.floor(Math.random() * FIRST_SPAN_MS));
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.busy = this.push().finally(() => {
        this.busy = null;
        this.arm(this.o.everyMs ?? USAGE_EVERY_MS);
      });
    }, ms);
    this.timer.unref();
  }

  /** one push now; true when the included rows were marked pushed (2xx or 422) */
  async push(): Promise<boolean> {
    const now = Date.now();
    const { body, keys } = usageBody(this.src, this.config, now, this.o.everyMs ?? USAGE_EVERY_MS);
    const text = JSON.stringify(body);
    let r;
    try {
      r = await this.client.postAuthed('usage-metrics', text);
      if (r.outcome === 'relogin') r = await this.client.postAuthed('usage-metrics', text);
    } catch (e) {
      r = { outcome: 'retry' as const, status: 0, text: errorMessage(e) };
    }
    if (r.outcome === 'ok' || r.status === 422) {
      if (r.outcome === 'ok') this.counters.sent++;
      else {
        this.counters.refused++;
        this.o.log?.(`capi: usage metrics refused (422 ${r.text.slice(0, 200)}); not resent`);
      }
      this.counters.rowsMarked += await this.src.markUsageMetricsPushed(keys, now);
      return true;
    }
    this.counters.failed++;
    this.o.log?.(`capi: usage metrics push failed (${r.status || 'unreachable'} ${r.text.slice(0, 200)})`);
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
  }
}
