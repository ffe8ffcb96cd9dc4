// Test helper: a minimal MaxMind DB writer (search tree with 24/28/32-bit records, IPv4 in an IPv6 tree,
// data section with maps/strings/uints/doubles/bools/arrays, string de-duplication through pointers).
import { ipToBytes } from './mmdb-oracle.js';

function ctrl(type: number, size: number): number[] {
  const out: number[] = [];
  let sizeBits: number;
  const extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size < 65821) {
    sizeBits = 30;
    const v = size - 285;
    extra.push(v >> 8, v & 0xff);
  } else {
    sizeBits = 31;
    const v = size - 65821;
    extra.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  }
  if (type <= 7) out.push((type << 5) | sizeBits);
  else out.push(sizeBits, type - 7);
  return [...out, ...extra];
}

function uintBytes(n: number | bigint): number[] {
  let v = BigInt(n);
  const b: number[] = [];
  while (v > 0n) {
    b.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return b;
}

class DataWriter {
  bytes: number[] = [];
  private strings = new Map<string, number>();
  constructor(private readonly dedupe: boolean) {}
  /** Append the encoding of v; returns its offset in the data section. */
  write(v: unknown): number {
    const at = this.bytes.length;
    const B = this.bytes;
    if (typeof v === 'string') {
      const prev = this.strings.get(v);
      if (this.dedupe && prev !== undefined) {
        if (prev < 2048) B.push(0x20 | (prev >> 8), prev & 0xff);
        else {
          const p = prev - 2048;
          B.push(0x20 | 0x08 | (p >> 16), (p >> 8) & 0xff, p & 0xff);
        }
        return at;
      }
      const b = [...Buffer.from(v, 'utf8')];
      B.push(...ctrl(2, b.length), ...b);
      this.strings.set(v, at);
    } else if (typeof v === 'boolean') B.push(...ctrl(14, v ? 1 : 0));
    else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      const b = uintBytes(v as number);
      const big = typeof v === 'bigint' || (v as number) > 0xffffffff;
      B.push(...ctrl(big ? 9 : 6, b.length), ...b);
    } else if (typeof v === 'number') {
      const buf = Buffer.alloc(8);
      buf.writeDoubleBE(v);
      B.push(...ctrl(3, 8), ...buf);
    } else if (Array.isArray(v)) {
      B.push(...ctrl(11, v.length));
      for (const x of v) this.write(x);
    } else if (v && typeof v === 'object') {
      const e = Object.entries(v as Record<string, unknown>);
      B.push(...ctrl(7, e.length));
      for (const [k, x] of e) {
        this.write(k);
        this.write(x);
      }
    } else throw new Error('unsupported value');
    return at;
  }
}

export interface MmdbEntry {
  cidr: string;
  data: unknown;
}

export function writeMmdb(
  entries: MmdbEntry[],
  opts: { ipVersion?: 4 | 6; recordSize?: 24 | 28 | 32; databaseType?: string; dedupe?: boolean } = {},
): Buffer {
  const ipVersion = opts.ipVersion ?? 6,
    recordSize = opts.recordSize ?? 24;
  type Rec = { node: number } | { data: number } | null;
  const nodes: Array<[Rec, Rec]> = [[null, null]];
  const dw = new DataWriter(opts.dedupe ?? false);
  for (const { cidr, data } of entries) {
    const [ip, plen] = cidr.split('/') as [string, string];
    const bytes = ipToBytes(ip)!;
    let bits: number[] = [];
    for (const b of bytes) for (let i = 7; i >= 0; i--) bits.push((b >> i) & 1);
    let prefix = parseInt(plen, 10);
    if (bytes.length === 4 && ipVersion === 6) {
      bits = [...Array(96).fill(0), ...bits];
      prefix += 96;
    }
    const off = dw.write(data);
    let node = 0;
    for (let d = 0; d < prefix; d++) {
      const bit = bits[d]!;
      if (d === prefix - 1) {
        nodes[node]![bit] = { data: off };
        break;
      }
      const next = nodes[node]![bit];
      if (next && 'node' in next) {
        node = next.node;
        continue;
      }
      nodes.push([null, null]);
      nodes[node]![bit] = { node: nodes.length - 1 };
      node = nodes.length - 1;
    }
  }
  const nc = nodes.length;
  const val = (r: Rec): number => (r === null ? nc : 'node' in r ? r.node : nc + 16 + r.data);
  const tree: number[] = [];
  for (const [l, r] of nodes) {
    const a = val(l),
      b = val(r);
    if (recordSize === 24)
      tree.push((a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, (b >> 16) & 0xff, (b >> 8) & 0xff, b & 0xff);
    else if (recordSize === 28)
      tree.push(
        (a >> 16) & 0xff,
        (a >> 8) & 0xff,
        a & 0xff,
        (((a >>> 24) & 0xf) << 4) | ((b >>> 24) & 0xf),
        (b >> 16) & 0xff,
        (b >> 8) & 0xff,
        b & 0xff,
      );
    else
      tree.push(
        (a >>> 24) & 0xff,
        (a >> 16) & 0xff,
        (a >> 8) & 0xff,
        a & 0xff,
        (b >>> 24) & 0xff,
        (b >> 16) & 0xff,
        (b >> 8) & 0xff,
        b & 0xff,
      );
  }
  const meta = new DataWriter(false);
  meta.write({
    node_count: nc,
    record_size: recordSize,
    ip_version: ipVersion,
    database_type: opts.databaseType ?? 'Test',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1700000000,
    description: { en: 'picket test db' },
  });
  return Buffer.concat([
    Buffer.from(tree),
    Buffer.alloc(16),
    Buffer.from(dw.bytes),
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    Buffer.from(meta.bytes),
  ]);
}
