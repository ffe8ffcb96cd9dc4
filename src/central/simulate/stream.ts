// The simulated signal stream, part 1: the address table (each address labelled: attacker, innocent, unknown
// shared infrastructure, canary, adversary target), the signal arrays every consensus is fed, and the attackers
// with their victims (crowd.md §5: arrivals per day, heavy-tailed victim counts, 30% background scanners,
// lognormal lifetimes, 20% on reused addresses, evaders rotating within their /24, 20% IPv6).

import { CanarySet } from '../consensus/canaries.js';
import { D, H, SCENARIOS, type Kind, type Site } from './population.js';
import { Alias, type Rng } from './rng.js';

export const enum Label {
  Attacker = 0,
  Innocent = 1,
  SharedUnknown = 2,
  Canary = 3,
  Target = 4,
}

export interface Attacker {
  t0: number;
  end: number;
  scenario: number;
  reused: boolean;
  reuseUntil: number;
  evader: boolean;
  /** distinct honest sites that reported it */
  honestVictims: number;
  /** received time of its third honest report (Infinity: fewer than 3) */
  thirdAt: number;
  /** the first three honest sites that reported it */
  firstThree: number[];
}

export class Stream {
  readonly addrs: string[] = [];
  readonly label: number[] = [];
  readonly attackerOf: number[] = [];
  readonly index = new Map<string, number>();
  readonly scenarios: string[] = [];
  private readonly scenIdx = new Map<string, number>();
  // signals (struct of arrays)
  readonly recv: number[] = [];
  readonly rep: number[] = [];
  readonly addr: number[] = [];
  readonly scen: number[] = [];
  readonly tainted: number[] = [];
  /** 1: an attack seen by an honest site (prevention is measured on these) */
  readonly honest: number[] = [];
  readonly attackers: Attacker[] = [];
  /** attacker -> its (first) address */
  readonly firstAddr: number[] = [];
  readonly appeals: Array<{ t: number; addr: number; truthful: boolean }> = [];
  readonly canaries = new CanarySet();
  /** attackers seen by 3 honest sites as a public feed: [third report time, address, scenario], by time */
  feed: Array<[number, number, number]> = [];
  private readonly feedAt = new Map<number, number>();

  constructor(
    readonly rng: Rng,
    readonly start: number,
    readonly end: number,
  ) {}

  scenarioId(s: string): number {
    let i = this.scenIdx.get(s);
    if (i === undefined) {
      i = this.scenarios.length;
      this.scenarios.push(s);
      this.scenIdx.set(s, i);
    }
    return i;
  }

  addAddr(value: string, label: Label, attacker = -1): number {
    const old = this.index.get(value);
    if (old !== undefined) return old;
    const i = this.addrs.length;
    this.addrs.push(value);
    this.label.push(label);
    this.attackerOf.push(attacker);
    this.index.set(value, i);
    return i;
  }

  /** A fresh public address that is no canary (IPv4, or IPv6 with probability v6). */
  freshIp(v6 = 0): string {
    const r = this.rng;
    for (;;) {
      let v: string;
      if (r.chance(v6)) {
        const g = (): string => r.int(0x10000).toString(16);
        v = `${(0x2400 + r.int(0x600)).toString(16)}:${g()}:${g()}:${g()}::${g()}`;
      } else v = `${1 + r.int(223)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
      if (!this.index.has(v) && !this.canaries.match(v)) return v;
    }
  }

  signal(recv: number, site: Site, addr: number, scenario: number, honestAttack: boolean): void {
    if (recv >= this.end || recv < site.registeredAt) return;
    this.recv.push(recv);
    this.rep.push(site.idx);
    this.addr.push(addr);
    this.scen.push(scenario);
    this.tainted.push(site.tainted ? 1 : 0);
    this.honest.push(honestAttack ? 1 : 0);
  }

  /** Builds the feed adversaries copy "true reports" from (after genAttackers). */
  buildFeed(): void {
    this.feed = [];
    this.attackers.forEach((a, i) => {
      if (a.thirdAt === Infinity || a.evader) return;
      const addr = this.firstAddr[i]!;
      this.feed.push([a.thirdAt, addr, a.scenario]);
      this.feedAt.set(addr, a.thirdAt);
    });
    this.feed.sort((x, y) => x[0] - y[0]);
  }

  recvOfFeed(addr: number): number {
    return this.feedAt.get(addr) ?? 0;
  }

  /** Push delay of a site's LAPI (10 s cadence, or 30 s +-15 s for 1.4.x). */
  delay(site: Site): number {
    return site.legacy ? this.rng.range(15_000, 45_000) : this.rng.range(3_000, 17_000);
  }
}

/** Attackers and the honest sites (and sensor-running poisoners) they hit. */
export function genAttackers(st: Stream, sites: Site[], perDay: number): void {
  const rng = st.rng;
  const pools = new Map<string, { idx: number[]; w: number[]; alias: Alias }>();
  for (const kind of Object.keys(SCENARIOS) as Kind[]) {
    for (const sc of SCENARIOS[kind]) {
      const idx = sites.filter((s) => s.sensors && s.scenarios.includes(sc)).map((s) => s.idx);
      const w = idx.map((i) => sites[i]!.visibility);
      if (idx.length) pools.set(sc, { idx, w, alias: new Alias(w) });
    }
  }
  const total = st.end - st.start;
  const n = rng.poisson((perDay * total) / D);
  for (let k = 0; k < n; k++) {
    const t0 = st.start + rng.u() * total;
    const life = Math.min(60 * D, rng.lognormal(3 * D, 1));
    const u = rng.u();
    const kind: Kind = u < 0.4 ? 'ssh' : u < 0.85 ? 'web' : 'mail';
    const sc = rng.pick(SCENARIOS[kind]);
    const pool = pools.get(sc);
    if (!pool) continue;
    const scanner = rng.chance(0.3);
    const nv = scanner
      ? Math.round(rng.range(0.05, 0.5) * pool.idx.length)
      : Math.min(pool.idx.length, Math.floor(rng.pareto(1.1, pool.idx.length + 1)));
    let victims: number[];
    if (scanner) victims = rng.sampleWeighted(pool.w, nv).map((i) => pool.idx[i]!);
    else {
      const set = new Set<number>();
      for (let tries = 0; set.size < nv && tries < nv * 20; tries++) set.add(pool.idx[pool.alias.draw(rng)]!);
      victims = [...set];
    }
    const a: Attacker = {
      t0,
      end: t0 + life,
      scenario: st.scenarioId(sc),
      reused: rng.chance(0.2),
      reuseUntil: 0,
      evader: rng.chance(0.05),
      honestVictims: 0,
      thirdAt: Infinity,
      firstThree: [],
    };
    a.reuseUntil = a.end + rng.range(1, 44) * D;
    const ai = st.attackers.length;
    st.attackers.push(a);
    const v6 = 0.2;
    const main = st.addAddr(st.freshIp(v6), Label.Attacker, ai);
    st.firstAddr.push(main);
    const base = st.addrs[main]!;
    const firsts: Array<[number, number]> = [];
    for (const si of victims) {
      const site = sites[si]!;
      const tau = t0 + rng.u() * life;
      if (tau < site.registeredAt || tau >= st.end) continue;
      let addr = main;
      if (a.evader && !base.includes(':'))
        addr = st.addAddr(`${base.slice(0, base.lastIndexOf('.'))}.${1 + rng.int(254)}`, Label.Attacker, ai);
      const recv = tau + st.delay(site);
      st.signal(recv, site, addr, a.scenario, site.role === 'honest');
      if (site.role === 'honest' && recv < st.end) firsts.push([recv, si]);
      if (rng.chance(0.3)) {
        const t2 = tau + rng.u() * (a.end - tau);
        st.signal(t2 + st.delay(site), site, addr, a.scenario, site.role === 'honest');
      }
    }
    firsts.sort((x, y) => x[0] - y[0]);
    a.honestVictims = firsts.length;
    a.firstThree = firsts.slice(0, 3).map((f) => f[1]);
    if (firsts.length >= 3) a.thirdAt = firsts[2]![0];
    if (!a.evader && a.honestVictims >= 3 && rng.chance(0.05)) {
      st.appeals.push({ t: a.thirdAt + rng.range(H, 24 * H), addr: main, truthful: false });
    }
  }
}
