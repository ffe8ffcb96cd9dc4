import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionIndex, isSharedList } from '../../src/store/decision-index.js';
import { compileDecisionFilter } from '../../src/store/decision-filter.js';
import { RadixIndex } from '../../src/store/radix.js';
import { ipRangeContains, parseIpOrRange } from '../../src/store/iprange.js';
import type { DecisionFilter, DecisionRecord } from '../../src/store/records.js';
import { rng } from './random.js';

const NOW = 1_800_000_000_000;

function randomValue(r: () => number): { scope: string; value: string } {
  const pick = r();
  const o = () => Math.floor(r() * 4); // few distinct octets: many overlaps
  if (pick < 0.5) return { scope: 'Ip', value: `10.${o()}.${o()}.${o()}` };
  if (pick < 0.7) return { scope: 'Range', value: `10.${o()}.${o()}.0/${[8, 16, 24, 30][Math.floor(r() * 4)]}` };
  if (pick < 0.85) return { scope: 'Ip', value: `2001:db8::${o()}:${o()}` };
  if (pick < 0.95) return { scope: 'Range', value: `2001:db8::${o()}:0/${[32, 64, 112][Math.floor(r() * 3)]}` };
  return { scope: 'Country', value: ['FR', 'DE'][Math.floor(r() * 2)] };
}

function brute(all: DecisionRecord[], f: DecisionFilter, now: number): DecisionRecord[] {
  return all.filter((d) => {
    if (d.until < now || (d.simulated && !f.simulated)) return false;
    if (f.range) {
      if (!d.range) return false;
      if (f.contains !== false ? !ipRangeContains(d.range, f.range) : !ipRangeContains(f.range, d.range)) return false;
    }
    if (f.type !== undefined && d.type !== f.type) return false;
    if (f.origins && !f.origins.includes(d.origin)) return false;
    return true;
  });
}

test('decision index: live lookups agree with a brute-force scan over random decisions, after removals too', () => {
  const r = rng(7);
  const index = new DecisionIndex(RadixIndex.load());
  const all: DecisionRecord[] = [];
  for (let id = 1; id <= 3000; id++) {
    const { scope, value } = randomValue(r);
    const rec: DecisionRecord = {
      id,
      uuid: `u${id}`,
      alertId: id,
      createdAt: NOW,
      until: NOW + Math.floor((r() - 0.3) * 3_600_000),
      scenario: 's',
      type: r() < 0.8 ? 'ban' : 'captcha',
      scope,
      value,
      origin: r() < 0.5 ? 'crowdsec' : 'CAPI',
      simulated: r() < 0.05,
      range: scope === 'Ip' || scope === 'Range' ? parseIpOrRange(value) : null,
    };
    all.push(rec);
    index.upsert(rec, NOW);
  }
  const check = (label: string): void => {
    for (let q = 0; q < 400; q++) {
      const { value } = randomValue(r);
      const range = parseIpOrRange(value);
      if (!range) continue;
      const f: DecisionFilter = { range, contains: r() < 0.6 };
      if (r() < 0.2) f.type = 'captcha';
      if (r() < 0.2) f.origins = ['CAPI'];
      const got = index.live(compileDecisionFilter(f), NOW).map((d) => d.id);
      assert.deepEqual(
        got,
        brute(all, f, NOW).map((d) => d.id),
        `${label}: ${value} contains=${f.contains}`,
      );
    }
  };
  check('full');
  for (let i = all.length - 1; i >= 0; i--) {
    if (r() < 0.4) {
      assert.equal(index.remove(all[i].id), true);
      all.splice(i, 1);
    }
  }
  check('after removals');
});

test('decision index: stream snapshot and delta agree with the spec rules written naively', () => {
  const r = rng(11);
  const index = new DecisionIndex(RadixIndex.load());
  const all: DecisionRecord[] = [];
  const visible = new Map<number, number>();
  for (let id = 1; id <= 2000; id++) {
    const { scope, value } = randomValue(r);
    const created = NOW - 600_000 + id * 300; // one every 0.3 s, ten minutes up to now
    const rec: DecisionRecord = {
      id,
      uuid: `u${id}`,
      alertId: id,
      createdAt: created,
      until: created + Math.floor(r() * 900_000) - 300_000,
      scenario: r() < 0.5 ? 'crowdsecurity/ssh-bf' : 'me/http',
      type: r() < 0.8 ? 'ban' : 'captcha',
      scope,
      value,
      origin: r() < 0.5 ? 'crowdsec' : 'CAPI',
      simulated: r() < 0.05,
      range: scope === 'Ip' || scope === 'Range' ? parseIpOrRange(value) : null,
    };
    all.push(rec);
    index.upsert(rec, created);
    visible.set(id, created);
  }
  let sharedDeleted = 0;
  const filters: DecisionFilter[] = [
    { scopes: ['Ip', 'Range'] },
    { origins: ['crowdsec'] },
    { scenariosContaining: ['ssh'] },
    {},
  ];
  for (const f of filters) {
    const c = compileDecisionFilter(f);
    const F = all.filter(
      (d) =>
        !d.simulated &&
        (!f.scopes || f.scopes.includes(d.scope)) &&
        (!f.origins || f.origins.includes(d.origin)) &&
        (!f.scenariosContaining || d.scenario.includes(f.scenariosContaining[0])),
    );
    const longest = (d: DecisionRecord): boolean =>
      !F.some((e) => e.value === d.value && e.type === d.type && e.scope === d.scope && e.until > d.until);
    for (const now of [NOW - 300_000, NOW, NOW + 120_000]) {
      const snap = index.startup(c, now, true);
      assert.deepEqual(
        snap.new.map((d) => d.id),
        F.filter((d) => d.until > now && longest(d)).map((d) => d.id),
      );
      assert.deepEqual(
        snap.deleted.map((d) => d.id),
        F.filter((d) => d.until <= now && longest(d)).map((d) => d.id),
      );
      for (const L of [now - 10_000, now - 1000, now - 400_000]) {
        const delta = index.delta(c, L, now, true);
        assert.deepEqual(
          delta.new.map((d) => d.id),
          F.filter((d) => visible.get(d.id)! >= L && d.until > now && longest(d)).map((d) => d.id),
          `new, L = now - ${now - L}`,
        );
        assert.deepEqual(
          delta.deleted.map((d) => d.id),
          F.filter((d) => d.until > L - 2000 && d.until <= now && longest(d)).map((d) => d.id),
          `deleted, L = now - ${now - L}`,
        );
        const raw = index.delta(c, L, now, false);
        assert.deepEqual(
          raw.deleted.map((d) => d.id),
          F.filter((d) => d.until > L - 2000 && d.until <= now).map((d) => d.id),
        );
        // the shared lists of large deltas (a key given) are exactly those computed for one request
        for (const dedup of [true, false]) {
          const one = index.delta(c, L, now, dedup);
          const shared = index.delta(c, L, now, dedup, JSON.stringify(f));
          assert.deepEqual(shared, one, `shared, dedup ${dedup}, L = now - ${now - L}`);
          assert.deepEqual(index.delta(c, L, now, dedup, JSON.stringify(f)), one, 'from the kept lists');
          if (isSharedList(shared.deleted)) sharedDeleted++;
        }
      }
    }
  }
  assert.ok(sharedDeleted >= 8, `large deleted lists shared: ${sharedDeleted}`);
});
