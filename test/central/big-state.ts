// A full-size consensus for the state-save tests and the central bench: `fillConsensus` registers reporters over
// many networks (aged; a quarter confirmed, so they have weight) and feeds the real engine certified signals about
// `addresses` public IPv4 addresses, 2-6 reporters each, spread over the last 80 hours (the oldest expire) in
// time order, with a tick every simulated 10 minutes (a good part ends up listed). Deterministic for a seed.

import type { WeightedConsensus } from '../../src/central/consensus/engine.js';
import type { SignalInput } from '../../src/central/consensus/types.js';
import { rng } from '../store/random.js';

const H = 3_600_000;
const SCENARIOS = ['crowdsecurity/ssh-bf', 'crowdsecurity/http-probing', 'crowdsecurity/http-crawl-non_statics'];

/** the k-th address: unique, public-looking (45.0.0.0/8 - 94.0.0.0/8) */
export function bigStateAddress(k: number): string {
  return `${45 + ((k >> 16) % 50)}.${(k >> 8) & 255}.${k & 255}.${1 + (k % 253)}`;
}

export function fillConsensus(
  c: WeightedConsensus,
  o: { addresses: number; reporters?: number; now: number; seed?: number },
): { signals: number } {
  const rand = rng(o.seed ?? 1);
  const reporters = o.reporters ?? 2000;
  for (let i = 0; i < reporters; i++) {
    const id = `reporter-${i}`;
    c.registerReporter({
      id,
      registeredAt: o.now - 60 * 24 * H,
      asn: 64500 + (i % 600),
      network: `${100 + (i % 50)}.${i >> 8}.${i & 255}.0/24`,
    });
    c.book.byId.get(id)!.confirmed = i % 4 === 0 ? 3 : 0; // a quarter start with weight
  }
  const signals: SignalInput[] = [];
  for (let k = 0; k < o.addresses; k++) {
    const value = bigStateAddress(k);
    const n = 2 + Math.floor(rand() * 5);
    const t0 = o.now - 80 * H + Math.floor(rand() * 70 * H);
    const scenario = SCENARIOS[k % SCENARIOS.length]!;
    for (let j = 0; j < n; j++) {
      const received = t0 + Math.floor(rand() * 10 * H);
      const reporter = `reporter-${Math.floor(rand() * reporters)}`;
      signals.push({
        reporter,
        scope: 'Ip',
        value,
        scenario,
        scenarioHash: 'h',
        scenarioVersion: '0.1',
        trust: 'certified',
        at: received,
        received,
      });
    }
  }
  signals.sort((x, y) => x.received - y.received);
  let next = signals.length ? signals[0]!.received : o.now;
  for (const s of signals) {
    if (s.received >= next) {
      c.tick(s.received);
      next = s.received + H / 6;
    }
    c.ingest(s);
  }
  c.tick(o.now);
  return { signals: signals.length };
}
