// MaxMind DB (.mmdb) reader over an open file with a bounded page cache, so a database costs its cache, not its
// size, in memory (the shipped DB-IP city files are 63 + 71 MB: read whole by mmdb-lib they added ~130 MB to every
// process that saw both address families; bench/RESULTS.md, "Address spray"). Answers exactly as mmdb-lib's
// Reader.getWithPrefixLength (same tree walk, same value types: maps as plain objects, uint64/uint128 as BigInt,
// bytes as a Buffer copy; one decoded object per data offset while it stays in the bounded record cache), which
// test/enrich/mmdb-paged.test.ts checks on 100,000 addresses of the shipped databases.
// Owns: the page cache (MMDB_CACHE_PAGES pages of 4 KiB per file, clock replacement), the search-tree walk and
// the data-section decoder.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PicketError } from '../../core/errors.js';

/** A MaxMind database that cannot be read (GEOIP_BAD_MMDB). */
export class MmdbFormatError extends PicketError {
  constructor(message: string) {
    super('GEOIP_BAD_MMDB', message);
  }
}

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
/** Pages kept per open file: 2,048 x 4 KiB = 8 MiB (a lookup touches ~33 tree nodes and one record). */
export const MMDB_CACHE_PAGES = 2048;
/** Decoded values kept per file (by data offset), cleared when full: records shared by many addresses. */
export const MMDB_RECORD_CACHE = 1 << 16;

/** Bytes of a file read on demand through a clock-replaced cache of fixed-size pages. */
class PagedFile {
  readonly size: number;
  private readonly fd: number;
  /** page index -> cache slot, -1 when not cached */
  private readonly slotOf: Int32Array;
  /** cache slot -> page index, -1 when free */
  private readonly pageOf: Int32Array;
  private readonly ref: Uint8Array;
  private readonly bufs: Buffer[] = [];
  private readonly slab: Buffer;
  private hand = 0;
  /** pages read from the file (metric of tests and benches) */
  reads = 0;

  constructor(path: string, maxPages: number) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    if (this.size >= 2 ** 32) {
      closeSync(this.fd);
      throw new MmdbFormatError(`${path}: MMDB files of 4 GiB or more are not supported`);
    }
    const pages = Math.ceil(this.size / PAGE);
    const slots = Math.max(1, Math.min(maxPages, pages));
    this.slotOf = new Int32Array(pages).fill(-1);
    this.pageOf = new Int32Array(slots).fill(-1);
    this.ref = new Uint8Array(slots);
    // one allocation, resident only as slots get used
    this.slab = Buffer.allocUnsafeSlow(slots * PAGE);
    for (let i = 0; i < slots; i++) this.bufs.push(this.slab.subarray(i * PAGE, (i + 1) * PAGE));
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Cached pages (at most the constructor's maxPages). */
  cachedPages(): number {
    let n = 0;
    for (let i = 0; i < this.pageOf.length; i++) if (this.pageOf[i]! >= 0) n++;
    return n;
  }

  private load(page: number): number {
    const pageOf = this.pageOf,
      ref = this.ref;
    let s = this.hand;
    while (pageOf[s]! >= 0 && ref[s] === 1) {
      ref[s] = 0;
      s = s + 1 === pageOf.length ? 0 : s + 1;
    }
    this.hand = s + 1 === pageOf.length ? 0 : s + 1;
    if (pageOf[s]! >= 0) this.slotOf[pageOf[s]!] = -1;
    const pos = page * PAGE;
    readSync(this.fd, this.bufs[s]!, 0, Math.min(PAGE, this.size - pos), pos);
    this.reads++;
    pageOf[s] = page;
    this.slotOf[page] = s;
    return s;
  }

  /** Byte at offset `off` (< size). */
  u8(off: number): number {
    const page = off >>> PAGE_BITS;
    let s = this.slotOf[page]!;
    if (s < 0) s = this.load(page);
    this.ref[s] = 1;
    return this.bufs[s]![off & (PAGE - 1)]!;
  }

  /** Big-endian unsigned integer of `n` <= 4 bytes at `off`. */
  uint(off: number, n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.u8(off + i);
    return v;
  }

  /** A copy of bytes [off, off + n) (`into` when it is large enough). */
  bytes(off: number, n: number, into?: Buffer): Buffer {
    const out = into && into.length >= n ? into : Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const o = off + done;
      const page = o >>> PAGE_BITS;
      let s = this.slotOf[page]!;
      if (s < 0) s = this.load(page);
      this.ref[s] = 1;
      const at = o & (PAGE - 1);
      const k = Math.min(n - done, PAGE - at);
      this.bufs[s]!.copy(out, done, at, at + k);
      done += k;
    }
    return out;
  }

  /** UTF-8 text of bytes [off, off + n). */
  text(off: number, n: number): string {
    const at = off & (PAGE - 1);
    if (at + n <= PAGE) {
      const page = off >>> PAGE_BITS;
      let s = this.slotOf[page]!;
      if (s < 0) s = this.load(page);
      this.ref[s] = 1;
      return this.bufs[s]!.toString('utf8', at, at + n);
    }
    return this.bytes(off, n).toString('utf8');
  }

  /** Last offset of `needle` in the final `window` bytes, or -1. */
  lastIndexOf(needle: Buffer, window: number): number {
    const from = Math.max(0, this.size - window);
    const tail = this.bytes(from, this.size - from);
    const at = tail.lastIndexOf(needle);
    return at < 0 ? -1 : from + at;
  }
}

const META_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);
const POINTER_BASE = [0, 2048, 526336, 0];
const NUM = Buffer.alloc(8);

interface Metadata {
  node_count: number;
  record_size: number;
  ip_version: number;
  [k: string]: unknown;
}

/** One MMDB file: lookups by address bytes, values decoded on demand. */
export class PagedMmdb {
  readonly metadata: Metadata;
  private readonly f: PagedFile;
  private readonly nodeCount: number;
  private readonly nodeBytes: number;
  private readonly recordSize: number;
  private readonly treeSize: number;
  private readonly ipv4Start: number;
  private readonly cache = new Map<number, unknown>();
  /** offset after the value decoded last (decode's second result, kept out of the return value) */
  private next = 0;

  constructor(path: string, cachePages = MMDB_CACHE_PAGES) {
    this.f = new PagedFile(path, cachePages);
    try {
      const at = this.f.lastIndexOf(META_MARKER, 128 * 1024);
      if (at < 0) throw new MmdbFormatError(`${path}: not an MMDB file (metadata marker missing)`);
      const start = at + META_MARKER.length;
      const meta = this.decode(start, start) as Metadata | null;
      if (!meta || typeof meta.node_count !== 'number' || ![24, 28, 32].includes(meta.record_size))
        throw new MmdbFormatError(`${path}: bad MMDB metadata`);
      this.metadata = meta;
    } catch (e) {
      this.f.close();
      throw e;
    }
    this.nodeCount = this.metadata.node_count;
    this.recordSize = this.metadata.record_size;
    this.nodeBytes = this.recordSize / 4;
    this.treeSize = this.nodeBytes * this.nodeCount;
    let n = 0;
    if (this.metadata.ip_version !== 4) for (let i = 0; i < 96 && n < this.nodeCount; i++) n = this.child(n, 0);
    this.ipv4Start = n;
  }

  close(): void {
    this.f.close();
  }

  /** Pages of the file in the cache, pages read so far. */
  cacheStats(): { pages: number; reads: number } {
    return { pages: this.f.cachedPages(), reads: this.f.reads };
  }

  private child(node: number, bit: number): number {
    const f = this.f;
    const o = node * this.nodeBytes;
    switch (this.recordSize) {
      case 24:
        return f.uint(o + bit * 3, 3);
      case 28: {
        const mid = f.u8(o + 3);
        return bit === 0 ? (mid >>> 4) * 2 ** 24 + f.uint(o, 3) : (mid & 15) * 2 ** 24 + f.uint(o + 4, 3);
      }
      default:
        return f.uint(o + bit * 4, 4);
    }
  }

  /**
   * The record for the first `len` bytes of `addr` (4: IPv4, 16: IPv6) and the prefix length of its network,
   * as mmdb-lib's getWithPrefixLength (record null when the address is in no network).
   */
  lookup(addr: Uint8Array, len: 4 | 16): [unknown, number] {
    const rec = this.find(addr, len);
    return [rec, this.prefixLength];
  }

  /** prefix length of the network of the last find() */
  prefixLength = 0;

  /** lookup() without the pair: the record (or null); its network's prefix length in `prefixLength`. */
  find(addr: Uint8Array, len: 4 | 16): unknown {
    const nc = this.nodeCount;
    let node = len === 4 ? this.ipv4Start : 0;
    const bits = len * 8;
    let depth = 0;
    for (; depth < bits && node < nc; depth++) node = this.child(node, (addr[depth >> 3]! >> (7 - (depth & 7))) & 1);
    this.prefixLength = depth;
    return node <= nc ? null : this.cached(node - nc + this.treeSize);
  }

  /** decode with mmdb-lib's decodeFast cache: one object per data offset (bounded) */
  private cached(off: number): unknown {
    const c = this.cache;
    let v = c.get(off);
    if (v === undefined) {
      v = this.decode(off, this.treeSize + 16);
      if (c.size >= MMDB_RECORD_CACHE) c.clear();
      c.set(off, v);
    }
    return v;
  }

  /** The value at `off`; `this.next` = the offset after it. `base`: start of the section pointers count from. */
  private decode(off: number, base: number): unknown {
    const f = this.f;
    const ctrl = f.u8(off++);
    let type = ctrl >> 5;
    if (type === 1) {
      const ss = (ctrl >> 3) & 3;
      const p = ss === 3 ? f.uint(off, 4) : (ctrl & 7) * 2 ** (8 * (ss + 1)) + f.uint(off, ss + 1);
      const after = off + ss + 1;
      const target = base + POINTER_BASE[ss]! + p;
      const v = base === this.treeSize + 16 ? this.cached(target) : this.decode(target, base);
      this.next = after;
      return v;
    }
    if (type === 0) {
      type = 7 + f.u8(off++);
      if (type < 8) throw new MmdbFormatError(`invalid extended type at offset ${off}`);
    }
    let size = ctrl & 0x1f;
    if (size === 29) size = 29 + f.u8(off++);
    else if (size === 30) {
      size = 285 + f.uint(off, 2);
      off += 2;
    } else if (size === 31) {
      size = 65821 + f.uint(off, 3);
      off += 3;
    }
    return this.decodeType(type, off, size, base);
  }

  private decodeType(type: number, off: number, size: number, base: number): unknown {
    const f = this.f;
    this.next = off + size;
    switch (type) {
      case 2:
        return f.text(off, size);
      case 3:
        return f.bytes(off, 8, NUM).readDoubleBE(0);
      case 4:
        return f.bytes(off, size);
      case 5:
      case 6:
        if (size > 4) throw new MmdbFormatError(`invalid size for unsigned integer: ${size}`);
        return size === 0 ? 0 : f.uint(off, size);
      case 8:
        return size === 0 ? 0 : size < 4 ? f.uint(off, size) : f.bytes(off, 4, NUM).readInt32BE(0);
      case 9:
      case 10: {
        if (size > 16) throw new MmdbFormatError(`invalid size for big unsigned integer: ${size}`);
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(f.u8(off + i));
        return v;
      }
      case 7: {
        const o: Record<string, unknown> = {};
        this.next = off;
        for (let i = 0; i < size; i++) {
          const k = this.decode(this.next, base);
          o[k as string] = this.decode(this.next, base);
        }
        return o;
      }
      case 11: {
        const a: unknown[] = new Array(size);
        this.next = off;
        for (let i = 0; i < size; i++) a[i] = this.decode(this.next, base);
        return a;
      }
      case 14:
        this.next = off;
        return size !== 0;
      case 15:
        return f.bytes(off, 4, NUM).readFloatBE(0);
      default:
        throw new MmdbFormatError(`unknown MMDB data type ${type} at offset ${off}`);
    }
  }
}
