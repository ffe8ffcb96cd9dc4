// Reading CrowdSec's SQLite database (ent schema, 1.4 to 1.6: tables bouncers, machines, alerts, decisions and,
// from 1.6.x, allow_lists / allow_list_items / allow_list_allowlist_items) with better-sqlite3, read-only.
// Owns: the queries, turning CrowdSec's datetime texts into epoch ms, and the typed rows the importer needs.
// Tables a version does not have (allowlists in 1.4) read as empty; a file that is not a CrowdSec database
// is refused naming the missing table.

import Database from 'better-sqlite3';
import { PicketError, errorMessage } from '../core/errors.js';
import type { BouncerRecord, MachineRecord, NewAlert, NewDecision } from '../store/records.js';
import { formatRfc3339 } from '../api/wire-time.js';

export class ImportError extends PicketError {}

/** an active decision, with the CrowdSec alert it belongs to */
export type CsDecision = NewDecision & { alertId: number | null };
/** a CrowdSec alert, as Picket stores one (its decisions are added by the importer) */
export type CsAlert = Omit<NewAlert, 'decisions'>;
export interface CsAllowlist {
  name: string;
  description: string;
  items: Array<{ value: string; comment: string; expiresAt: number | null; createdAt: number }>;
}

export interface CsDatabase {
  bouncers: BouncerRecord[];
  machines: MachineRecord[];
  decisions: CsDecision[];
  alerts: Map<number, CsAlert>;
  /** null: this CrowdSec version has no allowlists */
  allowlists: CsAllowlist[] | null;
}

/** `2026-12-07 15:13:33.689715086+00:00` (ent's SQLite text) or RFC 3339 -> epoch ms; null for null/empty */
export function csTime(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?/.exec(String(v));
  if (!m) return null;
  const frac = m[3] ? m[3].slice(0, 4) : '';
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${m[4] ?? 'Z'}`);
  return Number.isNaN(ms) ? null : ms;
}

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);

function tables(db: Database.Database): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[];
  return new Set(rows.map((r) => s(r.name)));
}

function allowlists(db: Database.Database, have: Set<string>): CsAllowlist[] | null {
  if (!have.has('allow_lists') || !have.has('allow_list_items') || !have.has('allow_list_allowlist_items')) return null;
  const lists = db.prepare('SELECT id, name, description FROM allow_lists ORDER BY id').all() as Row[];
  const items = db.prepare(`SELECT i.value, i.comment, i.expires_at, i.created_at FROM allow_list_items i
    JOIN allow_list_allowlist_items j ON j.allow_list_item_id = i.id WHERE j.allow_list_id = ? ORDER BY i.id`);
  return lists.map((l) => ({
    name: s(l.name),
    description: s(l.description),
    items: (items.all(l.id) as Row[]).map((i) => ({
      value: s(i.value),
      comment: s(i.comment),
      expiresAt: csTime(i.expires_at),
      createdAt: csTime(i.created_at) ?? Date.now(),
    })),
  }));
}

const at = (v: unknown): string => formatRfc3339(csTime(v) ?? Date.now());

function alertOf(a: Row, machineOf: Map<number, string>): CsAlert {
  const source = {
    scope: s(a.source_scope),
    value: s(a.source_value),
    ip: s(a.source_ip),
    range: s(a.source_range),
    asNumber: s(a.source_as_number),
    asName: s(a.source_as_name),
    cn: s(a.source_country),
    latitude: n(a.source_latitude),
    longitude: n(a.source_longitude),
  };
  return {
    machineId: machineOf.get(n(a.machine_alerts)) ?? '',
    scenario: s(a.scenario),
    scenarioHash: s(a.scenario_hash),
    scenarioVersion: s(a.scenario_version),
    message: s(a.message),
    eventsCount: n(a.events_count),
    startAt: at(a.started_at),
    stopAt: at(a.stopped_at),
    capacity: n(a.capacity),
    leakspeed: s(a.leak_speed) || '0',
    simulated: Boolean(a.simulated),
    remediation: true,
    kind: '',
    labels: null,
    source,
    events: [],
    meta: [],
  };
}

function bouncerOf(b: Row, now: number): BouncerRecord {
  return {
    name: s(b.name),
    apiKeyHash: s(b.api_key),
    revoked: Boolean(b.revoked),
    ipAddress: s(b.ip_address),
    type: s(b.type),
    version: s(b.version),
    authType: s(b.auth_type) === 'tls' ? 'tls' : 'api-key',
    autoCreated: false,
    createdAt: csTime(b.created_at) ?? now,
    updatedAt: csTime(b.updated_at) ?? now,
    lastPull: csTime(b.last_pull),
  };
}

function machineOfRow(m: Row, now: number): MachineRecord {
  return {
    machineId: s(m.machine_id),
    passwordHash: s(m.password),
    isValidated: Boolean(m.is_validated),
    authType: s(m.auth_type) === 'tls' ? 'tls' : 'password',
    ipAddress: s(m.ip_address),
    version: s(m.version),
    scenarios: s(m.scenarios),
    createdAt: csTime(m.created_at) ?? now,
    updatedAt: csTime(m.updated_at) ?? now,
    lastPush: csTime(m.last_push),
    lastHeartbeat: csTime(m.last_heartbeat),
  };
}

function decisionOf(d: Row): CsDecision {
  return {
    until: csTime(d.until) ?? 0,
    scenario: s(d.scenario),
    type: s(d.type),
    scope: s(d.scope),
    value: s(d.value),
    origin: s(d.origin),
    simulated: Boolean(d.simulated),
    alertId: d.alert_decisions === null || d.alert_decisions === undefined ? null : n(d.alert_decisions),
  };
}

/** Reads what the importer copies: every bouncer and machine, the decisions active at `now` and their alerts. */
export function readCrowdsecDb(file: string, now: number): CsDatabase {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new ImportError('IMPORT_BAD_DB', `cannot open CrowdSec's database ${file}: ${errorMessage(e)}`);
  }
  try {
    const have = tables(db);
    for (const t of ['bouncers', 'machines', 'alerts', 'decisions']) {
      if (!have.has(t)) throw new ImportError('IMPORT_BAD_DB', `${file} is not a CrowdSec database: no ${t} table`);
    }
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    const machineRows = all('SELECT * FROM machines ORDER BY id');
    const machineOf = new Map(machineRows.map((m) => [n(m.id), s(m.machine_id)]));
    const decisions = all('SELECT * FROM decisions ORDER BY id')
      .map(decisionOf)
      .filter((d) => d.until > now);
    const alerts = new Map<number, CsAlert>();
    const getAlert = db.prepare('SELECT * FROM alerts WHERE id = ?');
    for (const d of decisions) {
      if (d.alertId === null || alerts.has(d.alertId)) continue;
      const a = getAlert.get(d.alertId) as Row | undefined;
      if (a) alerts.set(d.alertId, alertOf(a, machineOf));
    }
    return {
      bouncers: all('SELECT * FROM bouncers ORDER BY id').map((b) => bouncerOf(b, now)),
      machines: machineRows.map((m) => machineOfRow(m, now)),
      decisions,
      alerts,
      allowlists: allowlists(db, have),
    };
  } finally {
    db.close();
  }
}
