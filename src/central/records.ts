// The records Picket Central keeps (capi.md §11): what a reporter (CAPI login) is allowed to leave behind, the
// minimised signal row, curated entries, appeal/erasure audit records and the operator operations queued by the
// CLI for a running server. Nothing here holds a signal's message, geo, source AS, machine name or context.

import type { EntryScope, SignalInput } from './consensus/types.js';

/** One CAPI login (a site's LAPI). Its full address is never kept: only the network and AS it connects from. */
export interface MachineRecord {
  /** the login (machine_id of POST /watchers) */
  login: string;
  /** keyed pseudonym (HMAC of the login with the server secret): the only reporter id next to signals */
  pseudonym: string;
  passwordHash: string;
  registeredAt: number;
  /** /24 (IPv4) or /48 (IPv6) the login last connected from ('' when unknown, e.g. added by the CLI) */
  network: string;
  asn: number;
  /** scenarios of the last login (tailor the community list); dropped with the account */
  scenarios: string[];
  lastLogin: number | null;
  lastPush: number | null;
  /** start of this login's last successful stream pull (the delta base) */
  lastPull: number | null;
  /** history counters */
  signals: number;
  certifiedSignals: number;
  /** set by `picket central machines add` (pre-registered) or POST /watchers */
  source: 'api' | 'cli';
  /** POST /watchers/enroll: recorded, no console exists */
  enrolledAt: number | null;
  enrollName: string;
  /** last metrics / usage-metrics push (only the time is kept) */
  metricsAt: number | null;
}

/**
 * One signal as stored: the consensus's SignalInput with `at` and `received` rounded down to the minute (the
 * consensus ingests exactly this), and `seq`, its place in the order the server handed signals to the consensus
 * (increasing across restarts; a saved consensus state names the last `seq` it reflects).
 */
export type StoredSignal = SignalInput & { seq: number };

/** An operator's curated blocklist entry (`picket central blocklist add`). */
export interface CuratedRecord {
  scope: EntryScope;
  value: string;
  scenario: string;
  until: number;
  createdAt: number;
}

/** Audit trail of appeals (delist) and erasures. */
export interface AuditRecord {
  at: number;
  action: 'delist' | 'erase' | 'curated-add' | 'curated-delete' | 'machine-delete';
  value: string;
  reason: string;
  /** what was removed (signals, entries) */
  removed: number;
}

/** Operations written by the CLI and applied by a running server (or at the next start). */
export type CentralOp =
  | { kind: 'delist'; value: string; at: number; holdMs: number }
  | { kind: 'erase'; value: string; at: number }
  | { kind: 'curated-add'; entry: CuratedRecord }
  | { kind: 'curated-delete'; value: string; at: number }
  | { kind: 'machine-delete'; pseudonym: string; at: number }
  | { kind: 'machine-add'; login: string; at: number };

export interface StoreStats {
  machines: number;
  signals: number;
  curated: number;
}
