// CIDR index over WebAssembly: loads build/radix.wasm (compiled from wasm/radix.ts) with @assemblyscript/loader
// and wraps it as RadixIndex. Owns: module loading (compiled once, one instance per index), turning an
// IpRange into the four big-endian address words passed as call arguments, and reading matched ids out of
// the module's result buffer (views rebuilt only when the memory grew or the buffer moved).
// Every operation is one call into WASM; the only JS allocation is what the caller's `out` array needs.

import { readFileSync } from 'node:fs';
import * as loader from '@assemblyscript/loader';
import type { IpRange } from './records.js';

type EditFn = (fam: number, a: number, b: number, c: number, d: number, len: number, id: number) => number;
type QueryFn = (fam: number, a: number, b: number, c: number, d: number, len: number) => number;

interface RadixExports {
  memory: WebAssembly.Memory;
  init(initialSlots: number, resultCap: number): void;
  clear(): void;
  ptrHeader(): number;
  insert: EditFn;
  remove: EditFn;
  containing: QueryFn;
  within: QueryFn;
}

// header words (wasm/radix.ts)
const H_SIZE = 0,
  H_GEN = 1,
  H_RESPTR = 2,
  H_RESCAP = 3,
  H_POOLCAP = 4,
  H_LIVE = 5,
  H_NODES = 8,
  H_WORDS = 16;
const SLOT_BYTES = 32;
const MAX_ID = 0x7fffffff;

let cachedModule: WebAssembly.Module | null = null;
function radixModule(): WebAssembly.Module {
  if (!cachedModule) {
    const bytes = readFileSync(new URL('../../../build/radix.wasm', import.meta.url));
    cachedModule = new WebAssembly.Module(bytes);
  }
  return cachedModule;
}

/** Big-endian 32-bit word at byte offset o. */
function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

function checkRange(r: IpRange): void {
  const max = r.family === 4 ? 32 : r.family === 6 ? 128 : -1;
  if (
    max < 0 ||
    !(r.prefix >= 0 && r.prefix <= max) ||
    (r.prefix | 0) !== r.prefix ||
    r.bytes.length < (r.family === 4 ? 4 : 16)
  ) {
    throw new RangeError(`RadixIndex: bad IpRange (family ${r.family}, prefix ${r.prefix}, ${r.bytes.length} bytes)`);
  }
}

function validId(id: number): boolean {
  return id > 0 && id <= MAX_ID && (id | 0) === id;
}
function checkId(id: number): void {
  if (!validId(id)) throw new RangeError(`RadixIndex: id must be an integer in 1..2^31-1, got ${id}`);
}

export interface RadixStats {
  /** (prefix, id) entries */
  entries: number;
  /** trie nodes in use (entries + branching nodes) */
  nodes: number;
  /** 32-byte slots in use (nodes + id blocks) and allocated */
  slots: number;
  slotCapacity: number;
  /** bytes of WASM linear memory */
  memoryBytes: number;
}

/** Prefix index of decision ids: which entries contain an address/range, which lie inside a range. */
export class RadixIndex {
  private readonly x: RadixExports;
  private readonly hdrPtr: number;
  private hdr: Int32Array;
  private res: Int32Array;
  private gen = 0;

  private constructor(x: RadixExports) {
    this.x = x;
    x.init(1024, 1024);
    this.hdrPtr = x.ptrHeader() >>> 0;
    this.hdr = new Int32Array(0);
    this.res = new Int32Array(0);
    this.views();
  }

  /** A new, empty, independent index (synchronous: the module is compiled once and instantiated per call). */
  static load(): RadixIndex {
    const inst = loader.instantiateSync<Record<string, unknown>>(radixModule(), {});
    // the raw exports: the loader's demangled wrappers allocate an arguments array per call
    return new RadixIndex(inst.instance.exports as unknown as RadixExports);
  }

  /** Rebuilds the header and result views when the memory grew (old views detach) or the buffer moved. */
  private views(): void {
    const buf = this.x.memory.buffer;
    this.hdr = new Int32Array(buf, this.hdrPtr, H_WORDS);
    this.gen = this.hdr[H_GEN]!;
    this.res = new Int32Array(buf, this.hdr[H_RESPTR]! >>> 0, this.hdr[H_RESCAP]!);
  }

  get size(): number {
    if (this.hdr.length === 0) this.views();
    return this.hdr[H_SIZE]!;
  }

  /** Adds id on r (idempotent: the same id twice on one prefix is kept once). */
  insert(id: number, r: IpRange): void {
    checkId(id);
    this.edit(this.x.insert, id, r);
  }

  /** Removes id from r; false when that (prefix, id) was not there. */
  remove(id: number, r: IpRange): boolean {
    if (!validId(id)) return false;
    return this.edit(this.x.remove, id, r) === 1;
  }

  private edit(op: EditFn, id: number, r: IpRange): number {
    checkRange(r);
    const b = r.bytes;
    return r.family === 4
      ? op(4, word(b, 0), 0, 0, 0, r.prefix, id)
      : op(6, word(b, 0), word(b, 4), word(b, 8), word(b, 12), r.prefix, id);
  }

  /** Pushes onto out the ids of entries (same family) whose prefix contains r; returns how many. */
  containing(r: IpRange, out: number[]): number {
    return this.query(this.x.containing, r, out);
  }

  /** Pushes onto out the ids of entries (same family) lying inside r; returns how many. */
  within(r: IpRange, out: number[]): number {
    return this.query(this.x.within, r, out);
  }

  private query(walk: QueryFn, r: IpRange, out: number[]): number {
    const b = r.bytes;
    const n =
      r.family === 4
        ? walk(4, word(b, 0), 0, 0, 0, r.prefix)
        : walk(6, word(b, 0), word(b, 4), word(b, 8), word(b, 12), r.prefix);
    if (n <= 0) {
      if (n < 0) checkRange(r);
      return 0;
    }
    if (this.hdr.length === 0 || this.hdr[H_GEN] !== this.gen) this.views();
    const res = this.res;
    for (let i = 0; i < n; i++) out.push(res[i]!);
    return n;
  }

  /** Drops every entry; memory is kept for reuse. */
  clear(): void {
    this.x.clear();
  }

  stats(): RadixStats {
    if (this.hdr.length === 0) this.views();
    const h = this.hdr;
    return {
      entries: h[H_SIZE]!,
      nodes: h[H_NODES]!,
      slots: h[H_LIVE]!,
      slotCapacity: h[H_POOLCAP]!,
      memoryBytes: this.x.memory.buffer.byteLength,
    };
  }

  /** Bytes per slot (node or id block) in the pool, for memory estimates. */
  static readonly slotBytes = SLOT_BYTES;
}
