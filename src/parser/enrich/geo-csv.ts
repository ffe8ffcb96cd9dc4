// IP-range -> AS table compiled from ip-location-db style CSV (`start,end,asn,org`, inclusive ranges; start/end
// as IP text or decimal numbers) into compact sorted typed arrays kept in memory; binary-search lookups that
// allocate nothing. Owns: CSV parsing, the range table, and range -> CIDR (SourceRange) computation.
//
// SourceRange for a CSV range: CrowdSec returns the network of the MMDB record. A CSV range need not be a single
// CIDR, so we return the LARGEST CIDR block that contains the IP and lies entirely inside the range, i.e. the
// block of the range's canonical CIDR decomposition that holds the IP — exactly the network an MMDB built from
// the same range would report. For a range that is one CIDR this is that CIDR.

import { readFileSync } from 'node:fs';
import { bytesToCidr, parseIpInto } from './geo-ip.js';

export interface AsnHit {
  asn: number;
  org: string;
}

const scratch = new Uint8Array(16);

class Builder {
  starts: number[] = [];
  ends: number[] = [];
  asn: number[] = [];
  org: number[] = [];
  orgs: string[] = [];
  orgIdx = new Map<string, number>();
  /** per AS number, an entry of the three arrays below: the org index and the bytes (offset and length in the
   *  CSV) of the org field last seen with it. An AS keeps its org over its many rows, so most rows compare bytes
   *  instead of decoding and hashing text. */
  private readonly byAsn = new Map<number, number>();
  private readonly seenOrg: number[] = [];
  private readonly seenAt: number[] = [];
  private readonly seenLen: number[] = [];
  addOrg(o: string): number {
    let i = this.orgIdx.get(o);
    if (i === undefined) {
      i = this.orgs.length;
      this.orgs.push(o);
      this.orgIdx.set(o, i);
    }
    return i;
  }
  /** The org index of the field buf[a..b) (quotes included) of a row of AS `asn`. */
  orgOf(buf: Buffer, a: number, b: number, asn: number): number {
    let k = this.byAsn.get(asn);
    if (k !== undefined && this.seenLen[k] === b - a) {
      // (a JS loop: short fields, and Buffer#compare's call costs more than the bytes)
      const d = this.seenAt[k]! - a;
      let i = a;
      while (i < b && buf[i] === buf[i + d]) i++;
      if (i === b) return this.seenOrg[k]!;
    }
    const i = this.addOrg(decodeOrg(buf, a, b));
    if (k === undefined) {
      k = this.seenOrg.length;
      this.byAsn.set(asn, k);
    }
    this.seenOrg[k] = i;
    this.seenAt[k] = a;
    this.seenLen[k] = b - a;
    return i;
  }
}

/** The org field buf[a..b): optionally "quoted" with "" escapes. */
function decodeOrg(buf: Buffer, a: number, b: number): string {
  if (b - a >= 2 && buf[a] === 34 && buf[b - 1] === 34) {
    const org = buf.toString('utf8', a + 1, b - 1);
    return org.includes('""') ? org.replace(/""/g, '"') : org;
  }
  return buf.toString('utf8', a, b);
}

/** Parse the address field buf[a..b) (IP text or decimal) into `out` at `at`: 1 word for IPv4, 4 for IPv6. */
function parseAddr(buf: Buffer, a: number, b: number, out: number[], at: number, want: 4 | 6): boolean {
  if (a >= b) return false;
  let digits = true,
    v = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
    v = v * 10 + (c - 48);
  }
  if (!digits) {
    const len = parseIpInto(buf.toString('latin1', a, b), scratch);
    if (want === 4) {
      if (len !== 4) return false;
      out[at] = ((scratch[0]! << 24) >>> 0) + (scratch[1]! << 16) + (scratch[2]! << 8) + scratch[3]!;
      return true;
    }
    if (len !== 16) return false; // IPv4-mapped addresses belong to the IPv4 table
    for (let w = 0; w < 4; w++)
      out[at + w] =
        ((scratch[w * 4]! << 24) >>> 0) +
        (scratch[w * 4 + 1]! << 16) +
        (scratch[w * 4 + 2]! << 8) +
        scratch[w * 4 + 3]!;
    return true;
  }
  if (want === 4) {
    if (v > 0xffffffff) return false;
    out[at] = v;
    return true;
  }
  let big = BigInt(buf.toString('latin1', a, b));
  if (big >> 128n) return false;
  for (let w = 3; w >= 0; w--) {
    out[at + w] = Number(big & 0xffffffffn);
    big >>= 32n;
  }
  return true;
}

/**
 * Parse `start,end,asn,org` rows (org last, optionally "quoted" with "" escapes; header/malformed rows skipped).
 * Works on bytes so that org strings are fresh copies, not slices pinning the whole file text in memory.
 */
function parseCsv(buf: Buffer, fam: 4 | 6): Builder {
  const b = new Builder();
  const n = buf.length;
  let pos = 0;
  while (pos < n) {
    let eol = buf.indexOf(10, pos);
    if (eol < 0) eol = n;
    const ls = pos;
    let le = eol;
    pos = eol + 1;
    if (le > ls && buf[le - 1] === 13) le--;
    if (le === ls || buf[ls] === 35) continue;
    const c1 = buf.indexOf(44, ls);
    if (c1 < 0 || c1 >= le) continue;
    const c2 = buf.indexOf(44, c1 + 1);
    if (c2 < 0 || c2 >= le) continue;
    let c3 = buf.indexOf(44, c2 + 1);
    if (c3 < 0 || c3 > le) c3 = le;
    const at = b.starts.length;
    if (!parseAddr(buf, ls, c1, b.starts, at, fam) || !parseAddr(buf, c1 + 1, c2, b.ends, at, fam)) {
      b.starts.length = at;
      b.ends.length = at;
      continue;
    }
    let asn = 0;
    for (let i = c2 + 1; i < c3; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) {
        asn = 0;
        break;
      }
      asn = asn * 10 + (c - 48);
    }
    b.asn.push(asn);
    b.org.push(c3 < le ? b.orgOf(buf, c3 + 1, le, asn) : b.addOrg(''));
  }
  return b;
}

/** Lexicographic compare of W-word addresses a[ai..] and b[bi..]. */
function cmp(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, W: number): number {
  for (let w = 0; w < W; w++) {
    const d = a[ai + w]! - b[bi + w]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** SourceRange texts kept per family table (a direct-mapped cache on (row, prefix)). */
const RANGE_SLOTS = 4096;

/** One address family's table: `starts`/`ends` hold W words (32-bit) per row, rows sorted by start. */
class FamilyTable {
  readonly W: number;
  /** SourceRange texts recently made: slot -> its row (-1: empty), prefix, network words and text. The events of
   *  a network share one string, and the address is not formatted again. */
  private readonly rcRow = new Int32Array(RANGE_SLOTS).fill(-1);
  private readonly rcPrefix = new Uint8Array(RANGE_SLOTS);
  private readonly rcNet: Uint32Array;
  private readonly rcText: string[] = new Array<string>(RANGE_SLOTS).fill('');
  constructor(
    readonly fam: 4 | 6,
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly asn: Uint32Array,
    readonly orgIdx: Uint32Array,
    readonly orgs: readonly string[],
  ) {
    this.W = fam === 4 ? 1 : 4;
    this.rcNet = new Uint32Array(RANGE_SLOTS * this.W);
  }

  /** The CIDR text of the /p network of row `row` holding the address q (W words), made once per cache slot. */
  cidrText(row: number, p: number, q: Uint32Array, bytes: Uint8Array, len: 4 | 16): string {
    const W = this.W,
      slot = ((row << 3) ^ p) & (RANGE_SLOTS - 1),
      net = this.rcNet;
    let hit = this.rcRow[slot] === row && this.rcPrefix[slot] === p;
    for (let w = 0; w < W; w++) {
      const keep = Math.max(0, Math.min(32, p - w * 32));
      const v = keep === 0 ? 0 : keep === 32 ? q[w]! : (q[w]! & ((0xffffffff << (32 - keep)) >>> 0)) >>> 0;
      if (net[slot * W + w] !== v) {
        hit = false;
        net[slot * W + w] = v;
      }
    }
    if (hit) return this.rcText[slot]!;
    const text = bytesToCidr(bytes, len, p);
    this.rcRow[slot] = row;
    this.rcPrefix[slot] = p;
    this.rcText[slot] = text;
    return text;
  }

  static from(b: Builder, fam: 4 | 6): FamilyTable {
    const W = fam === 4 ? 1 : 4,
      rows = b.asn.length;
    let order: number[] | null = null;
    for (let i = 1; i < rows; i++)
      if (cmp(b.starts, (i - 1) * W, b.starts, i * W, W) > 0) {
        order = [];
        break;
      }
    if (order) {
      // unsorted input: sort row indices by start
      for (let i = 0; i < rows; i++) order.push(i);
      order.sort((x, y) => cmp(b.starts, x * W, b.starts, y * W, W));
    }
    const starts = new Uint32Array(rows * W),
      ends = new Uint32Array(rows * W),
      asn = new Uint32Array(rows),
      org = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = order ? order[r]! : r;
      for (let w = 0; w < W; w++) {
        starts[r * W + w] = b.starts[i * W + w]!;
        ends[r * W + w] = b.ends[i * W + w]!;
      }
      asn[r] = b.asn[i]!;
      org[r] = b.org[i]!;
    }
    return new FamilyTable(fam, starts, ends, asn, org, b.orgs);
  }

  get size(): number {
    return this.asn.length;
  }

  /** Row containing address `q` (W words at qi), or -1. Ranges are assumed not to overlap (last start <= q wins). */
  find(q: ArrayLike<number>, qi = 0): number {
    const W = this.W,
      s = this.starts;
    let lo = 0,
      hi = this.asn.length - 1,
      best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(s, mid * W, q, qi, W) <= 0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0 || cmp(this.ends, best * W, q, qi, W) < 0) return -1;
    return best;
  }
}

const qWords = new Uint32Array(4);
const blk = new Uint32Array(4);
const blkEnd = new Uint32Array(4);

/**
 * Prefix length of the largest CIDR block that contains `ip` and lies inside [start, end] (all W-word addresses).
 * Assumes start <= ip <= end. W = 1 (IPv4) or 4 (IPv6).
 */
export function rangePrefix(
  ip: ArrayLike<number>,
  start: ArrayLike<number>,
  si: number,
  end: ArrayLike<number>,
  ei: number,
  W: number,
): number {
  const bits = W * 32;
  for (let p = 0; p <= bits; p++) {
    for (let w = 0; w < W; w++) {
      const keep = Math.max(0, Math.min(32, p - w * 32));
      const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
      blk[w] = (ip[w]! & mask) >>> 0;
      blkEnd[w] = (ip[w]! | ~mask) >>> 0;
    }
    if (cmp(blk, 0, start, si, W) >= 0 && cmp(blkEnd, 0, end, ei, W) <= 0) return p;
  }
  return bits;
}

const BIN_MAGIC = 0x4e53416b; // "kASN"
const BIN_VERSION = 1;
const NO_TABLE = 0xffffffff;

export class AsnRangeTable {
  private constructor(
    readonly v4: FamilyTable | null,
    readonly v6: FamilyTable | null,
  ) {}

  /** Build from CSV text (either side may be omitted). */
  static fromCsv(v4Csv: string | Buffer | null, v6Csv: string | Buffer | null): AsnRangeTable {
    const tbl = (csv: string | Buffer | null, fam: 4 | 6): FamilyTable | null =>
      csv === null
        ? null
        : FamilyTable.from(parseCsv(typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv, fam), fam);
    return new AsnRangeTable(tbl(v4Csv, 4), tbl(v6Csv, 6));
  }

  /**
   * The table as bytes (asn-cache.ts keeps it in a file built at `npm run build`): u32 words in the machine's byte
   * order (the file is built where it is read): magic,
   * version, then per family (IPv4, IPv6) rows (0xffffffff: no table), org count, org text bytes; then per
   * family starts, ends, asn, org index, the orgs' UTF-8 text joined by '\n' (padded to 4 bytes).
   */
  toBinary(): Buffer {
    const fams = [this.v4, this.v6];
    const texts = fams.map((t) => Buffer.from(t ? t.orgs.join('\n') : '', 'utf8'));
    const head = [BIN_MAGIC, BIN_VERSION];
    const parts: Buffer[] = [];
    fams.forEach((t, i) => {
      head.push(t ? t.size : NO_TABLE, t ? t.orgs.length : 0, texts[i]!.length);
      if (!t) return;
      for (const a of [t.starts, t.ends, t.asn, t.orgIdx])
        parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      parts.push(texts[i]!, Buffer.alloc((4 - (texts[i]!.length % 4)) % 4));
    });
    return Buffer.concat([Buffer.from(new Uint32Array(head).buffer), ...parts]);
  }

  /**
   * The table from toBinary()'s bytes, or null if malformed. Arrays and strings are copied out (the same memory
   * as a table built from CSV: `buf` is not kept).
   */
  static fromBinary(buf: Buffer): AsnRangeTable | null {
    if (buf.byteOffset % 4 !== 0) buf = Buffer.from(buf); // typed array views need 4-byte alignment
    const words = buf.length >> 2;
    if (words < 8) return null;
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset, words);
    if (u32[0] !== BIN_MAGIC || u32[1] !== BIN_VERSION) return null;
    let at = 8; // words
    const fams: Array<FamilyTable | null> = [];
    for (const [i, fam] of [[0, 4] as const, [1, 6] as const]) {
      const rows = u32[2 + i * 3]!,
        orgCount = u32[3 + i * 3]!,
        textBytes = u32[4 + i * 3]!;
      if (rows === NO_TABLE) {
        fams.push(null);
        continue;
      }
      const W = fam === 4 ? 1 : 4;
      const need = at + 2 * rows * W + 2 * rows + Math.ceil(textBytes / 4);
      if (need > words) return null;
      const copy = (n: number): Uint32Array => {
        const a = u32.slice(at, at + n);
        at += n;
        return a;
      };
      const starts = copy(rows * W),
        ends = copy(rows * W),
        asn = copy(rows),
        orgIdx = copy(rows);
      // one flat string per org (a split of the whole text would keep all of it alive behind its slices)
      const orgs: string[] = [];
      const end = at * 4 + textBytes;
      for (let pos = at * 4; orgs.length < orgCount;) {
        let nl = buf.indexOf(10, pos);
        if (nl < 0 || nl > end) nl = end;
        orgs.push(buf.toString('utf8', pos, nl));
        pos = nl + 1;
      }
      at += Math.ceil(textBytes / 4);
      for (let r = 0; r < rows; r++) if (orgIdx[r]! >= orgCount) return null;
      fams.push(new FamilyTable(fam, starts, ends, asn, orgIdx, orgs));
    }
    return new AsnRangeTable(fams[0]!, fams[1]!);
  }

  static fromFiles(v4Path: string | null, v6Path: string | null): AsnRangeTable {
    return AsnRangeTable.fromCsv(v4Path ? readFileSync(v4Path) : null, v6Path ? readFileSync(v6Path) : null);
  }

  get size(): { v4: number; v6: number } {
    return { v4: this.v4?.size ?? 0, v6: this.v6?.size ?? 0 };
  }

  private table(len: 4 | 16): FamilyTable | null {
    return len === 4 ? this.v4 : this.v6;
  }

  private load(bytes: Uint8Array, len: 4 | 16): void {
    for (let w = 0; w < len / 4; w++)
      qWords[w] =
        ((bytes[w * 4]! << 24) >>> 0) + (bytes[w * 4 + 1]! << 16) + (bytes[w * 4 + 2]! << 8) + bytes[w * 4 + 3]!;
  }

  /** Row index for address bytes (from parseIpInto), or -1. */
  find(bytes: Uint8Array, len: 4 | 16): number {
    const t = this.table(len);
    if (!t) return -1;
    this.load(bytes, len);
    return t.find(qWords);
  }

  asnOf(len: 4 | 16, row: number): number {
    return this.table(len)!.asn[row]!;
  }
  orgOf(len: 4 | 16, row: number): string {
    const t = this.table(len)!;
    return t.orgs[t.orgIdx[row]!]!;
  }

  /** SourceRange (see file header) for the row found by find(bytes, len). */
  rangeCidr(bytes: Uint8Array, len: 4 | 16, row: number): string {
    const t = this.table(len)!;
    this.load(bytes, len);
    const p = rangePrefix(qWords, t.starts, row * t.W, t.ends, row * t.W, t.W);
    return t.cidrText(row, p, qWords, bytes, len);
  }

  /** Convenience: lookup by IP string. */
  lookup(ip: string): (AsnHit & { network: string }) | null {
    const b = new Uint8Array(16);
    const len = parseIpInto(ip, b);
    if (len === 0) return null;
    const r = this.find(b, len);
    return r < 0 ? null : { asn: this.asnOf(len, r), org: this.orgOf(len, r), network: this.rangeCidr(b, len, r) };
  }
}
