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

/** a random decision (address, type, origin, simulated drawn from r) */
function randomDecision(
  r: () => number,
  o: { id: number; createdAt: number; until: number; scenario: string; origins: [string, string] },
): DecisionRecord {
  const { scope, value } = randomValue(r);
  return {
    id: o.id,
    uuid: `u${o.id}`,
    alertId: o.id,
    createdAt: o.createdAt,
    until: o.until,
    scenario: o.scenario,
    type: r() < 0.8 ? 'ban' : 'captcha',
    scope,
    value,
    origin: r() < 0.5 ? o.origins[0] : o.origins[1],
    simulated: r() < 0.05,
    range: scope === 'Ip' || scope === 'Range' ? parseIpOrRange(value) : null,
  };
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
    const until = NOW + Math.floor((r() - 0.3) * 3_600_000);
    const rec = randomDecision(r, { id, createdAt: NOW, until, scenario: 's', origins: ['crowdsec', 'CAPI'] });
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

test('decision index: a mass soft deletion applied over several commits: shared deleted lists = per-request ones', () => {
  const r = rng(5);
  const index = new DecisionIndex(RadixIndex.load());
  const T = NOW - 60_000;
  for (let id = 1; id <= 3000; id++) {
    const until = id % 10 === 0 ? T + Math.floor(r() * 60_000) : T + 3_600_000; // some expire naturally meanwhile
    const o = { id, createdAt: T - 3_600_000, until, scenario: 'crowdsecurity/ssh-bf' };
    const rec = randomDecision(r, { ...o, origins: ['crowdsec', 'cscli'] });
    index.upsert(rec, rec.createdAt);
  }
  // some decisions changed once before (they appear twice in the change log)
  for (const d of index.all().filter((x) => x.id % 7 === 0 && x.until > T)) {
    index.upsert({ ...d, until: T + 1_800_000 }, T - 1000);
  }
  // DELETE at T: until := T for every active decision, applied in 6 commits over 12 s (as a slow mass delete)
  const active = index.all().filter((d) => d.until > T);
  for (let batch = 0; batch < 6; batch++) {
    for (const d of active.slice(batch * 500, (batch + 1) * 500)) index.upsert({ ...d, until: T }, T + batch * 2400);
  }
  const filters: DecisionFilter[] = [{ scopes: ['Ip', 'Range'] }, { origins: ['cscli'] }, {}];
  let shared = 0;
  for (const f of filters) {
    const c = compileDecisionFilter(f);
    for (const L of [T - 5000, T - 100, T + 1000, T + 2500, T + 4000, T + 7100, T + 9000, T + 13_000, T + 30_000]) {
      for (const now of [L + 1000, L + 1700, L + 20_000]) {
        for (const dedup of [true, false]) {
          const one = index.delta(c, L, now, dedup);
          const a = index.delta(c, L, now, dedup, JSON.stringify(f));
          assert.deepEqual(a, one, `L = T + ${L - T}, now = L + ${now - L}, dedup ${dedup}`);
          if (isSharedList(a.deleted)) {
            shared++;
            assert.equal(index.delta(c, L, now, dedup, JSON.stringify(f)).deleted, a.deleted, 'handed out again');
          }
        }
      }
    }
  }
  assert.ok(shared >= 30, `shared lists: ${shared}`);
  // bouncers polling one after the other, inside one commit's stamps, get the same list
  const c = compileDecisionFilter({});
  const first = index.delta(c, T + 2500, T + 3500, true, '{}').deleted;
  assert.ok(first.length >= 1000);
  assert.equal(index.delta(c, T + 2600, T + 3600, true, '{}').deleted, first);
});
