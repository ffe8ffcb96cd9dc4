// `--max-buckets N` of `picket run` and `picket replay`: the ceiling on live buckets (src/buckets/eviction.ts),
// over the config file's buckets.max_live, over the default. Owns that option's parsing and precedence.

import { CliError } from './command.js';
import { MAX_LIVE_LIMIT } from '../config/config.js';
import { DEFAULT_MAX_LIVE_BUCKETS } from '../buckets/eviction.js';

export const MAX_BUCKETS_HELP = `  --max-buckets N  ceiling on live buckets (default: config buckets.max_live, else ${DEFAULT_MAX_LIVE_BUCKETS};
                   0 = none); beyond it the bucket nearest to its end is evicted (picket_bucket_evictions_total)`;

export function maxBucketsOption(raw: unknown, configured: number | undefined): number {
  if (raw === undefined) return configured ?? DEFAULT_MAX_LIVE_BUCKETS;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_LIVE_LIMIT) {
    throw new CliError(
      `--max-buckets ${String(raw)}: expected a whole number from 0 (no ceiling) to ${MAX_LIVE_LIMIT}`,
    );
  }
  return n;
}
