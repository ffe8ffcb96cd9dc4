// The durable outbox of signals owed to a central API (capi.md §4; issue 13) and the audit trail of what was
// sent. Owns: the `capiOutbox` sub-database (key: zero-padded sequence number, so LMDB's order is queue order;
// value: the signal's alert UUID and its exact JSON bytes), its index `capiQueued` (UUID -> key) and `capiSent`
// (key: alert UUID; value: when, where and the exact bytes of the batch item). A signal leaves the outbox and
// enters the audit trail in one transaction, after the central acknowledged it; a crash before that resends it
// with the same UUID. Bounded: past `max` queued signals the oldest are dropped and counted. Also: which stored
// alerts were already offered (a cursor in jobState), so alerts stored just before a crash are offered again at
// the next start.

import type { Database } from 'lmdb';
import type { PicketStore } from './lmdb.js';
import type { AlertRecord } from './records.js';

export interface OutboxEntry {
  uuid: string;
  body: string;
  queuedAt: number;
}
export interface SentRecord {
  uuid: string;
  sentAt: number;
  url: string;
  body: string;
}

const KEY_WIDTH = 15;
const seqKey = (n: number): string => String(n).padStart(KEY_WIDTH, '0');

export class SignalOutbox {
  private next: number;
  /** signals dropped because the outbox was full (since this process started) */
  dropped = 0;

  constructor(
    private readonly env: PicketStore,
    private readonly max = 100_000,
  ) {
    let last = 0;
    for (const k of this.env.db('capiOutbox').getKeys({ reverse: true, limit: 1 })) last = Number(k);
    this.next = last + 1;
  }

  get size(): number {
    return (this.env.db('capiOutbox').getStats() as { entryCount: number }).entryCount;
  }

  /** queues one signal unless its UUID was already sent or is queued; returns whether it was queued */
  async enqueue(uuid: string, body: string, now = Date.now()): Promise<boolean> {
    const out = this.env.db('capiOutbox');
    const index = this.env.db('capiQueued');
    if (this.env.db('capiSent').get(uuid) !== undefined || index.get(uuid) !== undefined) return false;
    const key = seqKey(this.next++);
    const over = Math.max(0, this.size + 1 - this.max);
    const oldest = over > 0 ? [...out.getRange({ limit: over })] : [];
    await this.env.root.transaction(() => {
      out.putSync(key, { uuid, body, queuedAt: now });
      index.putSync(uuid, key);
      for (const r of oldest) {
        out.removeSync(r.key);
        index.removeSync(r.value.uuid);
      }
    });
    this.dropped += oldest.length;
    return true;
  }

  /** the oldest `n` queued signals, with their keys */
  peek(n: number): { key: string; entry: OutboxEntry }[] {
    return [...this.env.db('capiOutbox').getRange({ limit: n })].map((r) => ({ key: r.key, entry: r.value }));
  }

  /** moves acknowledged signals from the outbox to the audit trail, atomically */
  async ack(items: { key: string; entry: OutboxEntry }[], url: string, now = Date.now()): Promise<void> {
    const out = this.env.db('capiOutbox');
    const sent = this.env.db('capiSent');
    const index = this.env.db('capiQueued');
    await this.env.root.transaction(() => {
      for (const { key, entry } of items) {
        out.removeSync(key);
        index.removeSync(entry.uuid);
        sent.putSync(entry.uuid, { uuid: entry.uuid, sentAt: now, url, body: entry.body });
      }
    });
  }

  /** audit records sent at or after `since` (ms), oldest first */
  sentSince(since: number): SentRecord[] {
    const rows = [...this.env.db('capiSent').getRange()].map((r) => r.value).filter((r) => r.sentAt >= since);
    return rows.sort((a, b) => a.sentAt - b.sentAt);
  }

  /** what the audit trail and the outbox hold about `ip` (a signal whose source value or ip is that address) */
  about(ip: string): { sent: SentRecord[]; queued: OutboxEntry[] } {
    const sent = [...this.env.db('capiSent').getRange()].map((r) => r.value).filter((r) => signalAbout(r.body, ip));
    const queued = [...this.env.db('capiOutbox').getRange()].map((r) => r.value).filter((e) => signalAbout(e.body, ip));
    return { sent, queued };
  }

  /** erases every signal about `ip` from the outbox (not sent then) and the audit trail; returns the counts */
  async erase(ip: string): Promise<{ queued: number; sent: number }> {
    const out = this.env.db('capiOutbox'),
      sent = this.env.db('capiSent'),
      index = this.env.db('capiQueued');
    const q = [...out.getRange()].filter((r) => signalAbout(r.value.body, ip));
    const s = [...sent.getRange()].filter((r) => signalAbout(r.value.body, ip));
    await this.env.root.transaction(() => {
      for (const r of q) {
        out.removeSync(r.key);
        index.removeSync(r.value.uuid);
      }
      for (const r of s) sent.removeSync(r.key);
    });
    return { queued: q.length, sent: s.length };
  }

  /** drops audit records older than `before` (ms): the alerts' retention applies to them too */
  async pruneSent(before: number): Promise<number> {
    const sent = this.env.db('capiSent');
    let n = 0;
    for (const r of sent.getRange())
      if (r.value.sentAt < before) {
        await sent.remove(r.key);
        n++;
      }
    return n;
  }
}

/** whether a signal's JSON bytes are about `ip` (its source value or ip) */
export function signalAbout(body: string, ip: string): boolean {
  if (!body.includes(ip)) return false;
  try {
    const src = (JSON.parse(body) as { source?: { value?: unknown; ip?: unknown } }).source;
    return src?.value === ip || src?.ip === ip;
  } catch {
    return false;
  }
}

const OFFERED_KEY = 'capi:offered';

/** the highest alert id already offered to the crowd client (null: never: start from the newest alert) */
export function offeredCursor(env: PicketStore): number | null {
  const v = env.db('jobState').get(OFFERED_KEY);
  return v === undefined ? null : Number(v);
}

export async function setOfferedCursor(env: PicketStore, id: number): Promise<void> {
  await env.db('jobState').put(OFFERED_KEY, String(id));
}

/** ids of stored alerts after `after` (ascending, at most `limit`) */
export function alertIdsAfter(env: PicketStore, after: number, limit: number): number[] {
  const alerts = env.db('alerts') as unknown as Database<AlertRecord, number>;
  return [...alerts.getKeys({ start: after + 1, limit })];
}

/** the newest stored alert id (0: none) */
export function lastAlertId(env: PicketStore): number {
  const alerts = env.db('alerts') as unknown as Database<AlertRecord, number>;
  for (const k of alerts.getKeys({ reverse: true, limit: 1 })) return k;
  return 0;
}
