// The ceiling on live buckets (issue 11 §1): how many buckets (and blackhole records) one engine may hold, and
// how the ceiling is shared among the shards of a worker pool. Owns the default and that split.
//
// Policy (applied in wasm/buckets.ts evictOne and src/buckets/refstore.ts): when a new bucket would pass the
// ceiling, 8 occupied slots are sampled from a clock hand that walks the table, and the one nearest to its end
// is evicted: a live bucket by its idle deadline (Last_ts + Duration; never-idling buckets last), a blackhole
// record by its expiry. An evicted bucket is discarded without an alert, as an underflow would discard it; the
// count is `picket_bucket_evictions_total`, beside the `picket_buckets_live` gauge. The table never grows past
// the ceiling, so an address spray costs evictions, never memory or a crash.
// Normal traffic stays far below the default: a million live buckets is a million distinct sources active in the
// last Duration (11 minutes for ssh-slow-bf); a table of that size is ~134 MB of WASM memory.

/** buckets.max_live / --max-buckets when neither is given */
export const DEFAULT_MAX_LIVE_BUCKETS = 1_000_000;

/** The ceiling of one engine among `shards` engines sharing `total` (0 = no ceiling). */
export function perShardCeiling(total: number, shards: number): number {
  if (total <= 0) return 0;
  return Math.max(1, Math.ceil(total / Math.max(1, shards)));
}
