// The durable outbox of signals owed to a central API (capi.md §4; issue 13) and the audit trail of what was
// sent. Owns: the `capiOutbox` sub-database (key: zero-padded sequence number, so LMDB's order is queue order;
// value: the signal's alert UUID and its exact JSON bytes) and `capiSent` (key: alert UUID; value: when, where and
// the exact bytes of the batch item). A signal leaves the outbox and enters the audit trail in one transaction,
// after the central acknowledged it; a crash before that resends it with the same UUID. Bounded: past `max`
// queued signals the oldest are dropped and counted.

import type { PicketStore } from './lmdb.js';

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
    return this.env.db('capiOutbox').getCount();
  }

  /** queues one signal unless its UUID was already sent or is queued; returns whether it was queued */
  async enqueue(uuid: string, body: string, now = Date.now()): Promise<boolean> {
    const out = this.env.db('capiOutbox');
    if (this.env.db('capiSent').get(uuid) !== undefined) return false;
    for (const { value } of out.getRange()) if (value.uuid === uuid) return false;
    await out.put(seqKey(this.next++), { uuid, body, queuedAt: now });
    let over = this.size - this.max;
    if (over > 0) {
      for (const k of out.getKeys({ limit: over })) {
        await out.remove(k);
        this.dropped++;
        over--;
      }
    }
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
    await this.env.root.transaction(() => {
      for (const { key, entry } of items) {
        out.removeSync(key);
        sent.putSync(entry.uuid, { uuid: entry.uuid, sentAt: now, url, body: entry.body });
      }
    });
  }

  /** audit records sent at or after `since` (ms), oldest first */
  sentSince(since: number): SentRecord[] {
    const rows = [...this.env.db('capiSent').getRange()].map((r) => r.value).filter((r) => r.sentAt >= since);
    return rows.sort((a, b) => a.sentAt - b.sentAt);
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
