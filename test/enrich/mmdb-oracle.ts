// Minimal MaxMind DB (.mmdb) reader: metadata, search tree walk (24/28/32-bit records, IPv4 inside an
// IPv6 tree), data section decoding (all MMDB types), returning the record and its network (CIDR).
// Owns: file format only. Offline, synchronous, whole file in memory.
// Test-only since issue 10: Picket reads MMDB files with mmdb-lib (src/parser/enrich/geoip.ts); this former
// hand-written reader is kept as the oracle of test/enrich/mmdb-lib.test.ts and bench/mmdb.bench.ts (no goal
// needs it: bench/RESULTS.md, "MaxMind DB reader").

import { readFileSync } from 'node:fs';
import { bytesToCidr, parseIpInto } from '../../src/parser/enrich/geo-ip.js';
import { PicketError } from '../../src/core/errors.js';

const META_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

export interface MmdbMetadata {
  node_count: number;
  record_size: number;
  ip_version: number;
  database_type: string;
  [k: string]: unknown;
}

/** A MaxMind database that cannot be read (GEOIP_BAD_MMDB). */
export class MmdbError extends PicketError {
  constructor(message: string) {
    super('GEOIP_BAD_MMDB', message);
  }
}

/** Parse an IP string into 4 or 16 bytes (IPv4-mapped IPv6 -> 4 bytes, like Go To4()). null if not an IP. */
export function ipToBytes(ip: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const n = parseIpInto(ip, out);
  return n === 0 ? null : out.slice(0, n);
}

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  private readonly buf: Buffer;
  private readonly treeSize: number;
  private readonly dataStart: number;
  private ipv4Start = -1;
  private ipv4Depth = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
    const at = buf.lastIndexOf(META_MARKER);
    if (at < 0) throw new MmdbError('not an MMDB file (metadata marker missing)');
    const meta = this.decode(at + META_MARKER.length, at + META_MARKER.length)[0] as MmdbMetadata;
    if (!meta || typeof meta.node_count !== 'number' || ![24, 28, 32].includes(meta.record_size))
      throw new MmdbError('bad MMDB metadata');
    this.metadata = meta;
    this.treeSize = ((meta.record_size * 2) / 8) * meta.node_count;
    this.dataStart = this.treeSize + 16;
  }

  static open(path: string): MmdbReader {
    return new MmdbReader(readFileSync(path));
  }

  private record(node: number, bit: number): number {
    const b = this.buf;
    switch (this.metadata.record_size) {
      case 24: {
        const o = node * 6 + bit * 3;
        return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
      }
      case 28: {
        const o = node * 7;
        if (bit === 0) return (((b[o + 3]! & 0xf0) << 20) | (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!) >>> 0;
        return (((b[o + 3]! & 0x0f) << 24) | (b[o + 4]! << 16) | (b[o + 5]! << 8) | b[o + 6]!) >>> 0;
      }
      default:
        return b.readUInt32BE(node * 8 + bit * 4);
    }
  }

  /**
   * Allocation-free search: the data-section offset of the record for the `len` address bytes in `bytes`, or -1
   * when absent. `lastPrefix` is then the prefix length of the matching network (in the address family's bits).
   */
  find(bytes: Uint8Array, len: 4 | 16): number {
    const nc = this.metadata.node_count;
    let node = 0;
    if (len === 16 && this.metadata.ip_version === 4) return -1;
    if (len === 4 && this.metadata.ip_version === 6) {
      if (this.ipv4Start < 0) {
        let n = 0,
          i = 0;
        for (; i < 96 && n < nc; i++) n = this.record(n, 0);
        this.ipv4Start = n;
        this.ipv4Depth = i;
      }
      node = this.ipv4Start;
    }
    const bits = len * 8;
    let i = 0;
    for (; i < bits && node < nc; i++) node = this.record(node, (bytes[i >> 3]! >> (7 - (i & 7))) & 1);
    this.lastPrefix = i;
    if (node <= nc) return -1;
    const off = this.dataStart + (node - nc - 16);
    if (off >= this.buf.length) throw new MmdbError('corrupt MMDB search tree');
    return off;
  }

  /** Prefix length of the network matched by the last find(). */
  lastPrefix = 0;

  /** Decode the value at a data-section offset returned by find(). */
  decodeAt(off: number): unknown {
    return this.decode(off)[0];
  }

  /** Look an IP up: its record and network, or null when absent (or not an IP). */
  lookup(ip: string): { record: unknown; network: string } | null {
    const bytes = new Uint8Array(16);
    const len = parseIpInto(ip, bytes);
    if (len === 0) return null;
    const off = this.find(bytes, len);
    if (off < 0) return null;
    return { record: this.decode(off)[0], network: bytesToCidr(bytes, len, this.lastPrefix) };
  }

  /** Decode one value at `off`; returns [value, next offset]. `base` = start of the section pointers are
   *  relative to. */
  private decode(off: number, base = this.dataStart): [unknown, number] {
    const b = this.buf;
    const ctrl = b[off++]!;
    let type = ctrl >> 5;
    if (type === 1) {
      // pointer
      const ss = (ctrl >> 3) & 3,
        vvv = ctrl & 7;
      let p: number;
      if (ss === 0) {
        p = (vvv << 8) | b[off]!;
        off += 1;
      } else if (ss === 1) {
        p = ((vvv << 16) | (b[off]! << 8) | b[off + 1]!) + 2048;
        off += 2;
      } else if (ss === 2) {
        p = ((vvv << 24) | (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!) + 526336;
        off += 3;
      } else {
        p = b.readUInt32BE(off);
        off += 4;
      }
      return [this.decode(base + p, base)[0], off];
    }
    if (type === 0) type = 7 + b[off++]!;
    let size = ctrl & 0x1f;
    if (size === 29) size = 29 + b[off++]!;
    else if (size === 30) {
      size = 285 + b.readUInt16BE(off);
      off += 2;
    } else if (size === 31) {
      size = 65821 + ((b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!);
      off += 3;
    }
    switch (type) {
      case 2:
        return [b.toString('utf8', off, off + size), off + size];
      case 3:
        return [b.readDoubleBE(off), off + 8];
      case 4:
        return [b.subarray(off, off + size), off + size];
      case 5:
      case 6:
      case 9:
      case 10: {
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(b[off + i]!);
        return [v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, off + size];
      }
      case 8: {
        let v = 0;
        for (let i = 0; i < size; i++) v = (v << 8) | b[off + i]!;
        if (size === 4) v = v | 0;
        return [v, off + size];
      }
      case 7: {
        const o: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (let i = 0; i < size; i++) {
          const [k, o1] = this.decode(off, base);
          const [v, o2] = this.decode(o1, base);
          o[String(k)] = v;
          off = o2;
        }
        return [o, off];
      }
      case 11: {
        const a: unknown[] = [];
        for (let i = 0; i < size; i++) {
          const [v, o2] = this.decode(off, base);
          a.push(v);
          off = o2;
        }
        return [a, off];
      }
      case 14:
        return [size !== 0, off];
      case 15:
        return [b.readFloatBE(off), off + 4];
      case 12:
      case 13:
        return [null, off];
      default:
        throw new MmdbError(`unknown MMDB data type ${type}`);
    }
  }
}
