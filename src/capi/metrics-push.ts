// The metrics push to the central API (capi.md §6, §2): POST /v3/metrics/ with the LAPI's version, its bouncers and
// its machines as CrowdSec sends them — at start, then every 30 min, and at once when the set of machines changes
// (checked every 20 s). Owns: the payload (empty strings omitted, times RFC 3339 to the second) and that timer.
// Nothing else about the site is sent: no addresses, no scenarios, no counts.

import { formatRfc3339 } from '../api/wire-time.js';
import { errorMessage } from '../core/errors.js';
import { PICKET_VERSION } from '../metrics/registry.js';
import type { LapiStore } from '../store/records.js';
import type { CapiClient } from './client.js';

export const METRICS_EVERY_MS = 30 * 60_000;
const MACHINES_CHECK_MS = 20_000;

export interface MetricsBody {
  apil_version: string;
  bouncers: Record<string, string>[];
  machines: Record<string, string>[];
}

const secondTime = (ms: number | null): string => (ms === null ? '' : formatRfc3339(ms - (ms % 1000)));

function withoutEmpty(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
}

/** the body of POST /v3/metrics/ for `store`'s bouncers and machines */
export function metricsBody(store: LapiStore): MetricsBody {
  const version = `v${PICKET_VERSION}-${process.platform}`;
  return {
    apil_version: version,
    bouncers: store.listBouncers().map((b) =>
      withoutEmpty({
        custom_name: b.name,
        name: b.type.split('/')[0] ?? '',
        version: b.version,
        last_pull: secondTime(b.lastPull),
      }),
    ),
    machines: store.listMachines().map((m) =>
      withoutEmpty({
        name: m.machineId,
        version: m.version,
        last_update: secondTime(m.updatedAt),
        last_push: secondTime(m.lastPush),
      }),
    ),
  };
}

/** the push loop: start() sends once soon, then every `everyMs` and when the machines change */
export class MetricsPusher {
  private timer: NodeJS.Timeout | null = null;
  private check: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private machines = '';
  /** pushes accepted / failed */
  readonly counters = { sent: 0, failed: 0 };

  constructor(
    private readonly store: LapiStore,
    private readonly client: CapiClient,
    private readonly o: { firstMs?: number; everyMs?: number; log?: (l: string) => void } = {},
  ) {}

  start(): void {
    this.arm(this.o.firstMs ?? 5_000);
    this.check = setInterval(() => {
      if (this.machineSet() !== this.machines) this.arm(0);
    }, MACHINES_CHECK_MS);
    this.check.unref();
  }

  private machineSet(): string {
    return this.store
      .listMachines()
      .map((m) => m.machineId)
      .sort()
      .join('\n');
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.push().then(() => {
        this.busy = null;
        if (this.timer !== null) this.arm(this.o.everyMs ?? METRICS_EVERY_MS);
      });
    }, ms);
    this.timer.unref();
  }

  /** one push now; true when the central accepted it */
  async push(): Promise<boolean> {
    this.machines = this.machineSet();
    let r;
    try {
      r = await this.client.pushMetrics(JSON.stringify(metricsBody(this.store)));
      if (r.outcome === 'relogin') r = await this.client.pushMetrics(JSON.stringify(metricsBody(this.store)));
    } catch (e) {
      r = { outcome: 'retry' as const, status: 0, text: errorMessage(e) };
    }
    if (r.outcome === 'ok') {
      this.counters.sent++;
      return true;
    }
    this.counters.failed++;
    this.o.log?.(`capi: metrics push failed (${r.status || 'unreachable'} ${r.text.slice(0, 200)})`);
    return false;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.check) clearInterval(this.check);
    this.timer = null;
    this.check = null;
    await this.busy;
  }
}
