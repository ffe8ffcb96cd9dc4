// The distinct values each bucket instance has seen (scenarios with `distinct`). An address spray makes one
// single-value set per bucket (ssh-user-enum: one user per source address), hundreds of thousands at once: as a
// Map entry and a string each they held ~75 bytes apiece. Here a single value is an id in an open-addressing
// table of (instance, value id) int pairs (16 bytes a slot at load <= 0.5), the value text interned once with a
// reference count; an instance that sees a second value moves to a Set (rare: that is what the scenario counts).
// Owns: that storage.

const EMPTY = 0;

export class DistinctSets {
  /** slots: keys[i] = instance (0 = empty; instances start at 1), vals[i] = value id */
  private keys = new Int32Array(1024);
  private vals = new Int32Array(1024);
  private mask = 1023;
  /** 32 - log2(capacity): the home slot is the top bits of the multiplicative hash */
  private shift = 22;
  private count = 0;
  /** value texts by id, their reference counts, free ids; id 0 unused */
  private texts: Array<string | undefined> = [undefined];
  private refs = new Int32Array(64);
  private freeIds: number[] = [];
  private ids = new Map<string, number>();
  /** instances with two values or more */
  private many = new Map<number, Set<string>>();

  /** Instances with a value. */
  get size(): number {
    return this.count + this.many.size;
  }

  has(inst: number, v: string): boolean {
    const i = this.find(inst);
    if (i >= 0) return this.texts[this.vals[i]!] === v;
    const set = this.many.get(inst);
    return set !== undefined && set.has(v);
  }

  /** Instance inst has now seen v. */
  add(inst: number, v: string): void {
    if (inst === EMPTY) {
      // (instance 0 only after 2^32 buckets: the counter wrapped) kept as a set
      const s0 = this.many.get(inst);
      if (s0 === undefined) this.many.set(inst, new Set([v]));
      else s0.add(v);
      return;
    }
    const i = this.find(inst);
    if (i >= 0) {
      const old = this.texts[this.vals[i]!]!;
      if (old === v) return;
      this.removeAt(i);
      this.many.set(inst, new Set([old, v]));
      return;
    }
    const set = this.many.get(inst);
    if (set !== undefined) {
      set.add(v);
      return;
    }
    if ((this.count + 1) * 2 > this.keys.length) this.resize(this.keys.length * 2);
    let j = this.hash(inst);
    while (this.keys[j] !== EMPTY) j = (j + 1) & this.mask;
    this.keys[j] = inst;
    this.vals[j] = this.ref(v);
    this.count++;
  }

  delete(inst: number): void {
    const i = this.find(inst);
    if (i >= 0) this.removeAt(i);
    else this.many.delete(inst);
    if (this.keys.length > 1024 && this.count * 8 < this.keys.length) this.resize(this.keys.length / 2);
  }

  clear(): void {
    this.keys = new Int32Array(1024);
    this.vals = new Int32Array(1024);
    this.mask = 1023;
    this.shift = 22;
    this.count = 0;
    this.texts = [undefined];
    this.refs = new Int32Array(64);
    this.freeIds = [];
    this.ids.clear();
    this.many.clear();
  }

  private hash(inst: number): number {
    return Math.imul(inst, 0x9e3779b1) >>> this.shift;
  }

  private find(inst: number): number {
    if (inst === EMPTY) return -1;
    for (let j = this.hash(inst); ; j = (j + 1) & this.mask) {
      const k = this.keys[j]!;
      if (k === inst) return j;
      if (k === EMPTY) return -1;
    }
  }

  /** Empties slot i, shifting back the entries of its probe run (no tombstones). */
  private removeAt(i: number): void {
    this.unref(this.vals[i]!);
    this.count--;
    const keys = this.keys;
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.hash(keys[j]!);
      // the entry at j may move to the hole when its home is not in (hole, j]
      if ((j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j)) {
        keys[hole] = keys[j]!;
        this.vals[hole] = this.vals[j]!;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
  }

  private resize(cap: number): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = Math.clz32(cap) + 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === EMPTY) continue;
      let j = this.hash(k);
      while (this.keys[j] !== EMPTY) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.vals[j] = vals[i]!;
    }
  }

  /** The id of text v, referenced once more (a flat copy is kept: a capture may be a slice of its whole line). */
  private ref(v: string): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.texts.length;
      const flat = v.length >= 13 ? (' ' + v).slice(1) : v;
      this.texts[id] = flat;
      this.ids.set(flat, id);
      if (id >= this.refs.length) {
        const r = new Int32Array(this.refs.length * 2);
        r.set(this.refs);
        this.refs = r;
      }
    }
    this.refs[id]!++;
    return id;
  }

  private unref(id: number): void {
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.texts[id]!);
    this.texts[id] = undefined;
    this.freeIds.push(id);
  }
}
