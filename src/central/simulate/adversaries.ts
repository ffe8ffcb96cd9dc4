// The simulated signal stream, part 2: honest noise (false alerts on innocents, on shared infrastructure many
// sites wrongly flag — most of it published CDN and crawler ranges, some unknown shared egress — and private
// addresses from misconfigured sites), and the adversaries of crowd.md §4: colluding poisoners (blatant,
// camouflaged with true reports copied from the list, on-off), Sybil swarms, and the appeals (false ones by
// attackers, true ones by innocents).

import { D, H, type Site } from './population.js';
import { Alias } from './rng.js';
import { Label, type Stream } from './stream.js';

/** Addresses inside published CDN and crawler ranges (canaries that honest sites wrongly flag). */
function knownShared(st: Stream): string {
  const r = st.rng;
  const o = (): number => r.int(256);
  return r.pick([
    () => `66.249.${64 + r.int(32)}.${o()}`,
    () => `40.77.167.${o()}`,
    () => `157.55.39.${o()}`,
    () => `104.${16 + r.int(8)}.${o()}.${o()}`,
    () => `172.${64 + r.int(8)}.${o()}.${o()}`,
    () => `151.101.${o()}.${o()}`,
    () => `162.158.${o()}.${o()}`,
    () => `2a06:98c1:${o().toString(16)}::${o().toString(16)}`,
  ])();
}

/** False alerts: `noise` of each honest site's alerts, on innocents, shared infrastructure and private addresses. */
export function genNoise(st: Stream, sites: Site[], noise: number): void {
  const rng = st.rng;
  const shared: number[] = [];
  for (let i = 0; i < 300; i++) {
    shared.push(i < 240 ? st.addAddr(knownShared(st), Label.Canary) : st.addAddr(st.freshIp(0.1), Label.SharedUnknown));
  }
  const sharedAlias = new Alias(shared.map((_, i) => 1 / (i + 1)));
  const honestSignals: number[] = [];
  for (let i = 0; i < st.recv.length; i++) if (st.honest[i]) honestSignals.push(i);
  const count = Math.round((honestSignals.length * noise) / (1 - noise));
  const appealed = new Set<number>();
  for (let k = 0; k < count; k++) {
    const from = honestSignals[rng.int(honestSignals.length)]!;
    const site = sites[st.rep[from]!]!;
    const t = st.recv[from]! + rng.range(0, H);
    let addr: number;
    if (site.misconfigured && rng.chance(0.5))
      addr = st.addAddr(`10.${rng.int(4)}.${rng.int(256)}.${1 + rng.int(254)}`, Label.Canary);
    else if (rng.chance(0.15)) addr = shared[sharedAlias.draw(rng)]!;
    else addr = st.addAddr(st.freshIp(0.2), Label.Innocent);
    st.signal(t, site, addr, st.scenarioId(rng.pick(site.scenarios)), false);
    if (st.label[addr] === Label.SharedUnknown && !appealed.has(addr) && rng.chance(0.5)) {
      appealed.add(addr); // its owner notices within days and appeals (truthfully)
      st.appeals.push({ t: t + rng.range(12 * H, 72 * H), addr, truthful: true });
    }
  }
}

/** Reports of true attackers copied from the served list / public feeds, `delay` after their third report. */
function genCopies(st: Stream, copier: Site, perDay: number, from: number, to: number): void {
  const rng = st.rng;
  const feed = st.feed;
  if (!feed.length || to <= from) return;
  const n = rng.poisson((perDay * (to - from)) / D);
  for (let k = 0; k < n; k++) {
    const t = from + rng.u() * (to - from);
    // an attacker published in the 24 h before t (binary search on the feed, sorted by third report)
    let lo = 0,
      hi = feed.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (feed[m]![0] < t - 24 * H) lo = m + 1;
      else hi = m;
    }
    let top = lo;
    while (top < feed.length && feed[top]![0] < t) top++;
    if (top <= lo) continue;
    const [, addr, scen] = feed[lo + rng.int(top - lo)]!;
    st.signal(Math.max(t, st.recvOfFeed(addr) + rng.range(0.5 * H, 6 * H)), copier, addr, scen, false);
  }
}

/** Poisoner and Sybil campaigns against innocent targets, plus their camouflage. */
export function genAdversaries(st: Stream, sites: Site[]): number {
  const rng = st.rng;
  const pois = sites.filter((s) => s.role === 'blatant' || s.role === 'camo' || s.role === 'onoff');
  const sybils = sites.filter((s) => s.role === 'sybil');
  let targets = 0;
  const campaign = (members: Site[], share: number, period: [number, number]): void => {
    const addr = st.addAddr(st.freshIp(0.1), Label.Target);
    targets++;
    const cs = st.start + D + rng.u() * Math.max(H, st.end - st.start - 2 * D);
    const ce = cs + rng.range(2, 10) * D;
    if (rng.chance(0.5)) st.appeals.push({ t: cs + rng.range(6 * H, 48 * H), addr, truthful: true });
    for (const m of members) {
      if (!rng.chance(share)) continue;
      const sc = st.scenarioId(rng.pick(m.scenarios));
      for (
        let t = Math.max(cs, m.switchAt === Infinity ? cs : m.switchAt) + rng.range(0, 2 * H);
        t < ce;
        t += rng.range(period[0], period[1])
      ) {
        st.signal(t, m, addr, sc, false);
      }
    }
  };
  if (pois.length) for (let i = 0; i < 30; i++) campaign(pois, 0.9, [2 * H, 12 * H]);
  if (sybils.length) for (let i = 0; i < 20; i++) campaign(sybils, 0.5, [4 * H, 24 * H]);
  for (const p of pois) {
    if (p.role === 'camo') genCopies(st, p, 20, Math.max(st.start, p.registeredAt), st.end);
    if (p.role === 'onoff' && !p.sensors)
      genCopies(st, p, 30, Math.max(st.start, p.registeredAt), Math.min(st.end, p.switchAt));
    if (p.role === 'onoff') genCopies(st, p, 10, Math.max(st.start, p.switchAt), st.end);
  }
  for (const s of sybils) genCopies(st, s, 5, Math.max(st.start, s.registeredAt), st.end);
  return targets;
}
