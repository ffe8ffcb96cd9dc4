// Seeded randomness for the simulator: every draw comes from one `Rng` (sfc32 seeded through splitmix32), so a
// run is the same for a seed. Owns the distributions the world uses: uniform, exponential, lognormal,
// truncated Pareto, weighted choice (alias table) and weighted sampling without replacement.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u();
  }

  /** uniform in [0, 1) */
  u(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  int(n: number): number {
    return Math.floor(this.u() * n);
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  exp(mean: number): number {
    return -mean * Math.log(1 - this.u());
  }

  normal(): number {
    const u1 = 1 - this.u(),
      u2 = this.u();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto(alpha) with minimum 1, truncated at max (inverse CDF of the truncated law). */
  pareto(alpha: number, max: number): number {
    const u = this.u();
    const hMax = Math.pow(max, -alpha);
    return Math.pow(1 - u * (1 - hMax), -1 / alpha);
  }

  poisson(mean: number): number {
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const l = Math.exp(-mean);
    let k = 0,
      p = 1;
    do {
      k++;
      p *= this.u();
    } while (p > l);
    return k - 1;
  }

  /** `k` distinct indices of `weights`, drawn with probability proportional to weight (Efraimidis-Spirakis). */
  sampleWeighted(weights: readonly number[], k: number): number[] {
    if (k >= weights.length) return weights.map((_, i) => i);
    const keys = weights.map((w, i) => ({ i, k: Math.log(1 - this.u()) / w }));
    keys.sort((x, y) => y.k - x.k);
    return keys.slice(0, k).map((x) => x.i);
  }
}

/** Walker's alias table: O(1) weighted draws from a fixed distribution. */
export class Alias {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    const sum = weights.reduce((a, b) => a + b, 0);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / sum);
    const small: number[] = [],
      large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop()!,
        l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  draw(rng: Rng): number {
    const i = rng.int(this.prob.length);
    return rng.u() < this.prob[i]! ? i : this.alias[i]!;
  }
}
