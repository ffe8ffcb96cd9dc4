// A binary min-heap of (time, key) pairs: the consensus's timers (listing expiry, evidence clean-up). Entries are
// never removed early; the owner checks on pop whether the timer still matters (lazy invalidation).

export class TimerHeap {
  private t: number[] = [];
  private k: string[] = [];

  get size(): number {
    return this.t.length;
  }

  push(time: number, key: string): void {
    const t = this.t,
      k = this.k;
    let i = t.length;
    t.push(time);
    k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      t[i] = t[p]!;
      k[i] = k[p]!;
      i = p;
    }
    t[i] = time;
    k[i] = key;
  }

  /** Time of the earliest timer (Infinity when empty). */
  peek(): number {
    return this.t.length ? this.t[0]! : Infinity;
  }

  pop(): string | undefined {
    const t = this.t,
      k = this.k;
    if (!t.length) return undefined;
    const top = k[0]!;
    const lt = t.pop()!,
      lk = k.pop()!;
    const n = t.length;
    if (n) {
      let i = 0;
      while (true) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && t[c + 1]! < t[c]!) c++;
        if (t[c]! >= lt) break;
        t[i] = t[c]!;
        k[i] = k[c]!;
        i = c;
      }
      t[i] = lt;
      k[i] = lk;
    }
    return top;
  }
}
