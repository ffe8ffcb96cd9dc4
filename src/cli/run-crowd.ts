// The crowd client's side of `picket run` and of the CLI commands that read the store: starts the CrowdService
// (src/capi/service.ts) for a LAPI when `online_client` is configured — else says once why nothing leaves the
// machine —, and registers the signal outbox and audit trail as the monthly report's CrowdLedger and as a GDPR
// PersonalDataHolder. Owns: that wiring and its log lines.

import type client from 'prom-client';
import { readCredentials } from '../capi/config.js';
import { CrowdService } from '../capi/service.js';
import { parseWireDuration } from '../api/wire-time.js';
import type { PicketConfig } from '../config/config.js';
import { errorMessage } from '../core/errors.js';
import { registerHolder, type PersonalDataHolder, type PersonalItem } from '../gdpr/registry.js';
import { registerCrowdLedger, type CrowdLedger } from '../report/crowd.js';
import { SignalOutbox } from '../store/outbox.js';
import type { PicketStore } from '../store/lmdb.js';
import type { LapiStore, RetentionPolicy } from '../store/records.js';
import { DEFAULT_RETENTION, type LmdbLapiStore } from '../store/lapi-store.js';
import { withStore, type ApiContext } from './api-context.js';

export const CROWD_HOLDER = 'crowd signals';

/** test and private-central cadence: PICKET_CAPI_PUSH_INTERVAL=2s pushes signals (and metrics) that often */
function pushOverride(log: (line: string) => void): number | undefined {
  const v = process.env.PICKET_CAPI_PUSH_INTERVAL;
  if (v === undefined || v === '') return undefined;
  const ms = parseWireDuration(v);
  if (ms === null || ms <= 0) {
    log(`PICKET_CAPI_PUSH_INTERVAL='${v}' is not a duration: ignored`);
    return undefined;
  }
  return ms;
}

/** starts the crowd client of the LAPI (null: no central API configured or usable; the reason is logged) */
export async function startCrowd(o: {
  env: PicketStore;
  store: LapiStore;
  config: PicketConfig;
  retention: RetentionPolicy;
  registry?: client.Registry;
  log: (line: string) => void;
}): Promise<CrowdService | null> {
  const oc = o.config.onlineClient;
  if (!oc) {
    const where = o.config.file ? `${o.config.file} has no online_client section` : 'no config file';
    o.log(`crowd sharing is off: ${where} (no central API: nothing leaves the machine)`);
    return null;
  }
  let credentials;
  try {
    credentials = readCredentials(oc.credentialsPath);
  } catch (e) {
    o.log(`crowd sharing is off: ${errorMessage(e)} (picket capi register writes it; nothing leaves the machine)`);
    return null;
  }
  registerCrowdProviders(o.env, o.retention.maxAgeMs);
  const every = pushOverride(o.log);
  const crowd = new CrowdService({
    env: o.env,
    store: o.store,
    config: oc,
    credentials,
    registry: o.registry,
    log: o.log,
    auditRetentionMs: o.retention.maxAgeMs,
    ...(every !== undefined
      ? { firstPushMs: every, pushIntervalMs: every, firstMetricsMs: every, metricsIntervalMs: every * 10 }
      : {}),
  });
  await crowd.start();
  o.log(
    oc.sharing === 'off'
      ? `crowd sharing is off (online_client.sharing: off); central API ${credentials.url} for pulls only`
      : `crowd sharing: ${oc.sharing} signals to ${credentials.url} (picket capi signals lists what was sent)`,
  );
  return crowd;
}

function signalScenario(body: string): string {
  try {
    const s = (JSON.parse(body) as { scenario?: unknown }).scenario;
    return typeof s === 'string' ? s : '?';
  } catch {
    return '?';
  }
}

/** the report's CrowdLedger and the GDPR holder over `env`'s outbox and audit trail */
export function registerCrowdProviders(env: PicketStore, auditRetentionMs: number): void {
  const ledger: CrowdLedger = {
    name: 'crowd outbox audit',
    signalsSent(from, to) {
      const by = new Map<string, number>();
      let total = 0;
      for (const r of new SignalOutbox(env).sentSince(from)) {
        if (r.sentAt >= to) continue;
        total++;
        const sc = signalScenario(r.body);
        by.set(sc, (by.get(sc) ?? 0) + 1);
      }
      const byScenario = [...by].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
      return { total, byScenario };
    },
  };
  registerCrowdLedger(ledger);
  registerHolder(crowdHolder(env, auditRetentionMs));
}

function crowdHolder(env: PicketStore, auditRetentionMs: number): PersonalDataHolder {
  const days = Math.round(auditRetentionMs / 86_400_000);
  return {
    name: CROWD_HOLDER,
    find(ip) {
      const { sent, queued } = new SignalOutbox(env).about(ip);
      const items: PersonalItem[] = sent.map((r) => ({
        kind: 'signal',
        where: `crowd audit trail (sent to ${r.url})`,
        id: r.uuid,
        deleteBy: new Date(r.sentAt + auditRetentionMs).toISOString(),
        retention: `the alerts' retention (${days} days after it was sent)`,
        data: { sent_at: new Date(r.sentAt).toISOString(), url: r.url, body: r.body },
      }));
      for (const e of queued)
        items.push({
          kind: 'signal-queued',
          where: 'crowd outbox (not sent yet)',
          id: e.uuid,
          deleteBy: null,
          retention: 'until sent (then the audit trail) or dropped when the outbox is full',
          data: { queued_at: new Date(e.queuedAt).toISOString(), body: e.body },
        });
      return Promise.resolve(items);
    },
    async erase(ip) {
      const n = await new SignalOutbox(env).erase(ip);
      return { 'signal-queued': n.queued, signal: n.sent };
    },
  };
}

/** `picket report`: the store, with the crowd ledger registered when a central API is configured */
export function withReportStore<T>(ctx: ApiContext, fn: (s: LmdbLapiStore) => Promise<T>): Promise<T> {
  const retention = { ...DEFAULT_RETENTION, ...(ctx.config.retention ?? {}) };
  return withStore(
    ctx,
    (s) => fn(s as LmdbLapiStore),
    (env) => {
      if (ctx.config.onlineClient) registerCrowdProviders(env, retention.maxAgeMs);
    },
  );
}
