// `picket gdpr erase`: removes one address from everything Picket keeps: the Local API store (alerts,
// events, decisions, usage metrics: src/store/erase.ts, applied by a running LAPI through the change log),
// the allowlist items equal to it, and every registered holder (./registry.ts: the crowd client's outbox
// and audit trail plug in there); then writes the erasure record (keyed hash, time, counts).

import { eraseAddress, type ErasureRecord } from '../store/erase.js';
import { AllowlistStore } from '../store/allowlists.js';
import { registeredHolders } from './registry.js';
import { addressHash, erasureKey, recordErasure } from './erasures.js';
import { parseAddress, type GdprContext } from './export.js';

export interface EraseOptions {
  /** keep allowlist items equal to the address (an operator's own address, allowlisted on purpose) */
  keepAllowlists?: boolean;
}

export async function eraseEverywhere(ctx: GdprContext, ip: string, o: EraseOptions = {}): Promise<ErasureRecord> {
  parseAddress(ip);
  const key = erasureKey(ctx.store.dir); // before erasing: a key problem must stop us before any change
  const counts: Record<string, Record<string, number>> = {};
  counts.store = { ...(await eraseAddress(ctx.store, ip, ctx.now)) };
  let allow = 0;
  if (!o.keepAllowlists) {
    const lists = new AllowlistStore(ctx.store);
    for (const l of lists.list())
      if (l.items.some((i) => i.value === ip)) allow += await lists.removeItems(l.name, [ip]);
  }
  counts.allowlists = { itemsRemoved: allow };
  for (const h of registeredHolders()) counts[h.name] = await h.erase(ip);
  return recordErasure(ctx.store, { addressHash: addressHash(key, ip), at: ctx.now, counts });
}
