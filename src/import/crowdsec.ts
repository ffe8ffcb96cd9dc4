// `picket import crowdsec`: copies CrowdSec's bouncers (their SHA-512 key hashes, which Picket stores the same
// way: the same keys keep working), machines (their bcrypt password hashes, verified by src/lapi/password.ts),
// allowlists (CrowdSec 1.6+) and active decisions with their alerts into Picket's store. Idempotent: a record
// already there unchanged is counted, not copied again; a decision already present (same scope, value, type,
// origin, scenario and expiry to the second) is skipped. Owns: this mapping and the report.

import type { AllowlistStore } from '../store/allowlists.js';
import { bareSource, type LapiStore, type NewAlert, type NewDecision } from '../store/records.js';
import { formatRfc3339 } from '../api/wire-time.js';
import { errorMessage } from '../core/errors.js';
import { readCrowdsecDb, type CsAlert, type CsDatabase, type CsDecision } from './crowdsec-db.js';

export interface Counts {
  copied: number;
  updated: number;
  unchanged: number;
}

export interface ImportReport {
  db: string;
  bouncers: Counts;
  machines: Counts;
  decisions: Counts;
  /** null: the database has no allowlist tables (CrowdSec before 1.6) */
  allowlists: (Counts & { items: number }) | null;
  warnings: string[];
}

const zero = (): Counts => ({ copied: 0, updated: 0, unchanged: 0 });

async function importBouncers(cs: CsDatabase, store: LapiStore, r: ImportReport): Promise<void> {
  for (const b of cs.bouncers) {
    const cur = store.getBouncerByName(b.name);
    const byKey = store.getBouncerByKeyHash(b.apiKeyHash);
    if (byKey !== undefined && byKey.name !== b.name) {
      r.warnings.push(`bouncer ${b.name}: its key is already Picket's bouncer ${byKey.name}, not copied`);
      continue;
    }
    if (cur !== undefined && cur.apiKeyHash === b.apiKeyHash && cur.revoked === b.revoked) {
      r.bouncers.unchanged++;
      continue;
    }
    await store.putBouncer(b);
    if (cur === undefined) r.bouncers.copied++;
    else r.bouncers.updated++;
  }
}

async function importMachines(cs: CsDatabase, store: LapiStore, r: ImportReport): Promise<void> {
  for (const m of cs.machines) {
    const cur = store.getMachine(m.machineId);
    if (cur !== undefined && cur.passwordHash === m.passwordHash && cur.isValidated === m.isValidated) {
      r.machines.unchanged++;
      continue;
    }
    await store.putMachine(m);
    if (cur === undefined) r.machines.copied++;
    else r.machines.updated++;
  }
}

function present(store: LapiStore, d: CsDecision, now: number): boolean {
  return store
    .queryDecisions({ value: d.value, scopes: [d.scope] }, now)
    .some(
      (x) =>
        x.type === d.type && x.origin === d.origin && x.scenario === d.scenario && Math.abs(x.until - d.until) < 1000,
    );
}

/** the CrowdSec alert with its active decisions; a decision without an alert gets a minimal one */
function alertFor(a: CsAlert | undefined, decisions: CsDecision[]): NewAlert {
  const ds: NewDecision[] = decisions.map(({ alertId: _, ...d }) => d);
  if (a !== undefined) return { ...a, decisions: ds };
  const d0 = decisions[0]!;
  const now = formatRfc3339(Date.now());
  return {
    machineId: '',
    scenario: d0.scenario,
    scenarioHash: '',
    scenarioVersion: '',
    message: d0.scenario,
    eventsCount: 1,
    startAt: now,
    stopAt: now,
    capacity: 0,
    leakspeed: '0',
    simulated: d0.simulated,
    remediation: true,
    kind: '',
    labels: null,
    events: [],
    meta: [],
    decisions: ds,
    source: bareSource(d0.scope, d0.value),
  };
}

async function importDecisions(cs: CsDatabase, store: LapiStore, r: ImportReport, now: number): Promise<void> {
  const byAlert = new Map<number | null, CsDecision[]>();
  for (const d of cs.decisions) {
    if (present(store, d, now)) {
      r.decisions.unchanged++;
      continue;
    }
    const list = byAlert.get(d.alertId) ?? [];
    list.push(d);
    byAlert.set(d.alertId, list);
  }
  const alerts: NewAlert[] = [];
  for (const [alertId, ds] of byAlert) {
    // decisions without an alert (rare) each get their own
    if (alertId === null) for (const d of ds) alerts.push(alertFor(undefined, [d]));
    else alerts.push(alertFor(cs.alerts.get(alertId), ds));
  }
  for (let i = 0; i < alerts.length; i += 1000) await store.addAlerts(alerts.slice(i, i + 1000));
  r.decisions.copied += alerts.reduce((a, x) => a + x.decisions.length, 0);
}

async function importAllowlists(cs: CsDatabase, allow: AllowlistStore, r: ImportReport, now: number): Promise<void> {
  if (cs.allowlists === null) return;
  const counts = { ...zero(), items: 0 };
  r.allowlists = counts;
  for (const l of cs.allowlists) {
    const existed = allow.get(l.name) !== undefined;
    try {
      if (!existed) await allow.create(l.name, l.description);
      const items = l.items
        .filter((i) => i.expiresAt === null || i.expiresAt > now)
        .map((i) => ({ value: i.value, description: i.comment, expiration: i.expiresAt }));
      const added = items.length ? await allow.addItems(l.name, items) : 0;
      counts.items += added;
      if (!existed) counts.copied++;
      else if (added) counts.updated++;
      else counts.unchanged++;
    } catch (e) {
      r.warnings.push(`allowlist ${l.name}: ${errorMessage(e)}`);
    }
  }
}

/** Imports CrowdSec's database `dbFile` into Picket's LAPI store and allowlists. */
export async function importCrowdsec(
  dbFile: string,
  store: LapiStore,
  allow: AllowlistStore,
  now = Date.now(),
): Promise<ImportReport> {
  const cs = readCrowdsecDb(dbFile, now);
  const r: ImportReport = {
    db: dbFile,
    bouncers: zero(),
    machines: zero(),
    decisions: zero(),
    allowlists: null,
    warnings: [],
  };
  await importBouncers(cs, store, r);
  await importMachines(cs, store, r);
  await importAllowlists(cs, allow, r, now);
  await importDecisions(cs, store, r, now);
  return r;
}
