// What the simulator measures, per consensus. Owns `Recorder` (each address's listing intervals as the consensus
// produced them, the list size, the time from an address's last report to its removal, attack events that hit a
// listed address at the victim's last pull) and `computeMetrics` (precision, poisoning, canaries, recall, time to
// list, decay, appeals). Definitions: docs/CONSENSUS.md "Simulator".

import type { ListedEntry } from '../consensus/types.js';
import { H } from './population.js';
import { Label, type Stream } from './stream.js';

export interface Metrics {
  /** share of listed address-hours (measured window) whose address is an attacker's */
  precision: number;
  targets: number;
  targets_listed: number;
  canaries_listed: number;
  /** innocents (single false alerts and unknown shared egress) ever listed */
  innocents_listed: number;
  recall: number;
  recall_population: number;
  prevented: number;
  time_to_list_p50_s: number;
  time_to_list_p95_s: number;
  max_listed_after_last_report_s: number;
  list_size_max: number;
  /** listed hours of reused attacker addresses after the attacker left (innocents behind them) */
  collateral_hours: number;
  listed_address_hours: number;
  /** false appeals made while listed, and the share listed again before the attacker stopped */
  false_appeals: number;
  false_appeals_relisted: number;
}

export class Recorder {
  setClock: (t: number) => void = () => {};
  private readonly openAt: Float64Array;
  private readonly openScen: Int32Array;
  readonly lastReport: Float64Array;
  readonly ever: Uint8Array;
  readonly intervals = new Map<number, number[]>();
  private count = 0;
  maxSize = 0;
  maxAfter = 0;
  prevented = 0;
  attackEvents = 0;
  readonly falseAppeals: Array<{ addr: number; t: number }> = [];
  private finished = false;

  constructor(private readonly st: Stream) {
    const n = st.addrs.length;
    this.openAt = new Float64Array(n).fill(NaN);
    this.openScen = new Int32Array(n);
    this.lastReport = new Float64Array(n);
    this.ever = new Uint8Array(n);
  }

  open(e: ListedEntry, now: number): void {
    const i = this.st.index.get(e.value);
    if (i === undefined || !Number.isNaN(this.openAt[i]!)) return;
    this.openAt[i] = now;
    this.openScen[i] = this.st.scenarioId(e.scenario);
    this.ever[i] = 1;
    this.count++;
  }

  close(value: string, now: number): void {
    const i = this.st.index.get(value);
    if (i === undefined || Number.isNaN(this.openAt[i]!)) return;
    let iv = this.intervals.get(i);
    if (!iv) {
      iv = [];
      this.intervals.set(i, iv);
    }
    iv.push(this.openAt[i]!, now, this.openScen[i]!);
    this.maxAfter = Math.max(this.maxAfter, now - this.lastReport[i]!);
    this.openAt[i] = NaN;
    this.count--;
  }

  sample(): void {
    if (this.count > this.maxSize) this.maxSize = this.count;
  }
  report(a: number, t: number): void {
    this.lastReport[a] = t;
  }
  isOpen(a: number): boolean {
    return !Number.isNaN(this.openAt[a]!);
  }

  /** Was `a` on the list a site running `scen` got at its pull `t`? */
  listedAt(a: number, t: number, scen: ReadonlySet<number>): boolean {
    if (t < 0) return false;
    const o = this.openAt[a]!;
    if (!Number.isNaN(o) && o <= t && scen.has(this.openScen[a]!)) return true;
    const iv = this.intervals.get(a);
    if (iv)
      for (let k = 0; k < iv.length; k += 3) if (iv[k]! <= t && t < iv[k + 1]! && scen.has(iv[k + 2]!)) return true;
    return false;
  }

  attackEvent(a: number, pulledAt: number, scen: ReadonlySet<number>): void {
    this.attackEvents++;
    if (this.listedAt(a, pulledAt, scen)) this.prevented++;
  }

  appeal(addr: number, t: number, truthful: boolean): void {
    if (!truthful && this.isOpen(addr)) this.falseAppeals.push({ addr, t });
  }

  finish(end: number): void {
    if (this.finished) return;
    this.finished = true;
    for (let i = 0; i < this.openAt.length; i++) if (!Number.isNaN(this.openAt[i]!)) this.close(this.st.addrs[i]!, end);
  }
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const overlap = (s: number, e: number, a: number, b: number): number => Math.max(0, Math.min(e, b) - Math.max(s, a));

export function computeMetrics(rec: Recorder, st: Stream, targets: number, measureFrom: number): Metrics {
  rec.finish(st.end);
  let good = 0,
    all = 0,
    collateral = 0;
  for (const [a, iv] of rec.intervals) {
    const atk = st.attackerOf[a]! >= 0 ? st.attackers[st.attackerOf[a]!]! : null;
    for (let k = 0; k < iv.length; k += 3) {
      const h = overlap(iv[k]!, iv[k + 1]!, measureFrom, st.end) / H;
      all += h;
      if (st.label[a] === Label.Attacker) good += h;
      if (atk?.reused) collateral += overlap(iv[k]!, iv[k + 1]!, Math.max(atk.end, measureFrom), atk.reuseUntil) / H;
    }
  }
  let targetsListed = 0,
    canaries = 0,
    innocents = 0;
  for (let a = 0; a < st.addrs.length; a++) {
    if (!rec.ever[a]) continue;
    const l = st.label[a];
    if (l === Label.Target) targetsListed++;
    else if (l === Label.Canary || st.canaries.match(st.addrs[a]!)) canaries++;
    else if (l === Label.Innocent || l === Label.SharedUnknown) innocents++;
  }
  let pop = 0,
    hit = 0;
  const ttl: number[] = [];
  st.attackers.forEach((atk, i) => {
    if (atk.evader || atk.honestVictims < 3 || atk.t0 < measureFrom) return;
    pop++;
    const iv = rec.intervals.get(st.firstAddr[i]!) ?? [];
    for (let k = 0; k < iv.length; k += 3) {
      if (iv[k]! < Math.min(atk.end, st.end) && iv[k + 1]! > atk.t0) {
        hit++;
        ttl.push(Math.max(0, iv[k]! - atk.thirdAt) / 1000);
        break;
      }
    }
  });
  let relisted = 0;
  for (const fa of rec.falseAppeals) {
    const atk = st.attackers[st.attackerOf[fa.addr]!]!;
    const iv = rec.intervals.get(fa.addr) ?? [];
    for (let k = 0; k < iv.length; k += 3)
      if (iv[k]! >= fa.t && iv[k]! < atk.end) {
        relisted++;
        break;
      }
  }
  const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
  return {
    precision: all > 0 ? r4(good / all) : 1,
    targets,
    targets_listed: targetsListed,
    canaries_listed: canaries,
    innocents_listed: innocents,
    recall: pop ? r4(hit / pop) : 0,
    recall_population: pop,
    prevented: rec.attackEvents ? r4(rec.prevented / rec.attackEvents) : 0,
    time_to_list_p50_s: Math.round(quantile(ttl, 0.5)),
    time_to_list_p95_s: Math.round(quantile(ttl, 0.95)),
    max_listed_after_last_report_s: Math.round(rec.maxAfter / 1000),
    list_size_max: rec.maxSize,
    collateral_hours: Math.round(collateral),
    listed_address_hours: Math.round(all),
    false_appeals: rec.falseAppeals.length,
    false_appeals_relisted: relisted,
  };
}
