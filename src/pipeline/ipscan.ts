// Cheap pre-parse scan for the first IPv4 / IPv6 address in a raw log line, used to shard lines between
// pipeline workers before parsing (so every line of one address reaches the same worker, in order).
// Owns: the scanner (index arithmetic over char codes, no regex, no allocation unless the caller asks for
// the address text) and the shard hash (FNV-1a over the address characters).
//
// Rules: an address starts at a character not preceded by a letter, digit, `_` or `.`. IPv4 = 4 dot-separated
// decimal octets (<= 255, at most 3 digits), not followed by a digit or `.digit` (so `1.2.3.4.5` is junk).
// IPv6 = a run of hex digits / `:` / `.` that is a valid RFC 4291 text form (8 groups, or fewer with one
// `::`, optional trailing dotted IPv4); times like `07:54:45` and MAC addresses are not. `1.2.3.4:80` gives
// `1.2.3.4`. The first valid address in the line wins. Whether a run is an address is net/ip.ts's answer
// (its scanners with leading zeros allowed: this only routes lines, the parsers decide what an IP is).

import { parseIPv6At, quadEnd } from '../net/ip.js';

/** Start / end (exclusive) of the last address found by findAddress. */
export let ADDR_START = 0;
export let ADDR_END = 0;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
/** characters an address run may contain */
function isRunChar(c: number): boolean {
  return isHex(c) || c === 58 || c === 46;
}

/** Bytes written by the net/ip.ts scanners (this module only asks whether a run is an address). */
const scratch = new Uint8Array(16);

/**
 * Dotted quad at [i, end), leading zeros allowed (net/ip.ts quadEnd): its end index, or -1. Not followed by a
 * digit, nor by `.digit` (a 5th part: version numbers, OIDs).
 */
function ipv4At(s: string, i: number, end: number): number {
  const p = quadEnd(s, i, end, scratch, 0, true);
  if (p >= 0 && p < s.length) {
    const c = s.charCodeAt(p);
    if (isDigit(c)) return -1;
    if (c === 46 && p + 1 < s.length && isDigit(s.charCodeAt(p + 1))) return -1;
  }
  return p;
}

/**
 * Finds the first IPv4/IPv6 address in `s`; on success sets ADDR_START / ADDR_END and returns true.
 * No allocation.
 */
export function findAddress(s: string): boolean {
  const len = s.length;
  let i = 0;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (!isRunChar(c) || (i > 0 && (isWordChar(s.charCodeAt(i - 1)) || s.charCodeAt(i - 1) === 46))) {
      // skip to the next run start: past the current word
      i++;
      continue;
    }
    // a run of [0-9a-fA-F:.] starting at i
    let e = i;
    let colons = 0;
    while (e < len) {
      const d = s.charCodeAt(e);
      if (!isRunChar(d)) break;
      if (d === 58) colons++;
      e++;
    }
    // a run glued to letters/digits beyond the hex set (e.g. "deadbeefz") is not an address
    const glued = e < len && isWordChar(s.charCodeAt(e));
    if (!glued) {
      let end = e;
      if (colons >= 2) {
        // IPv6, possibly with a trailing ":port"-like piece or punctuation: try the full run, then trim
        // trailing '.' / ':' (sentence ends, "addr:" labels)
        while (
          end > i &&
          (s.charCodeAt(end - 1) === 46 || (s.charCodeAt(end - 1) === 58 && s.charCodeAt(end - 2) !== 58))
        )
          end--;
        if (end - i >= 2 && parseIPv6At(s, i, end, scratch, true)) {
          ADDR_START = i;
          ADDR_END = end;
          return true;
        }
      }
      if (isDigit(c)) {
        const v4 = ipv4At(s, i, e);
        if (v4 > 0) {
          ADDR_START = i;
          ADDR_END = v4;
          return true;
        }
      }
    }
    i = e + 1;
  }
  return false;
}

/** The first address of the line, or null (allocates the substring; tests and tools). */
export function scanAddress(s: string): string | null {
  return findAddress(s) ? s.slice(ADDR_START, ADDR_END) : null;
}

/** FNV-1a (32-bit, unsigned) of the line's first address, case-folded; -1 when it has none. */
export function addressHash(s: string): number {
  if (!findAddress(s)) return -1;
  let h = 0x811c9dc5;
  for (let i = ADDR_START; i < ADDR_END; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Shard of a line among `n` shards: addressHash mod n, or 0 when it has no address. n <= 1 -> 0. */
export function shardOf(s: string, n: number): number {
  if (n <= 1) return 0;
  const h = addressHash(s);
  return h < 0 ? 0 : h % n;
}

/**
 * Balanced, deterministic routing: each new address goes to the shard that has received the fewest lines so
 * far and keeps it (a hash mod n leaves the shards as uneven as the traffic of a few busy addresses makes
 * them). Lines without an address all go to one shard. Deterministic: the same lines in the same order give
 * the same routes. The table of owners is bounded: once full, new addresses use the hash mod n, and no
 * address ever changes shard (its buckets live there).
 */
export class ShardRouter {
  private readonly owner = new Map<number, number>();
  private readonly load: Float64Array;
  constructor(
    readonly shards: number,
    private readonly none: number,
    private readonly maxOwners = 1 << 18,
  ) {
    this.load = new Float64Array(shards);
  }
  route(line: string): number {
    const n = this.shards;
    if (n <= 1) return 0;
    const h = addressHash(line);
    let k: number;
    if (h < 0) k = this.none;
    else {
      const o = this.owner.get(h);
      if (o !== undefined) k = o;
      else if (this.owner.size >= this.maxOwners) k = h % n;
      else {
        const load = this.load;
        k = 0;
        for (let i = 1; i < n; i++) if (load[i]! < load[k]!) k = i;
        this.owner.set(h, k);
      }
    }
    this.load[k]!++;
    return k;
  }
}
