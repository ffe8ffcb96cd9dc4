// Hubtest runner: a small hand-written fixture (test/hubtest/fixtures) and, when the shared data exists
// (test/shared-data.ts), one real hub test scored like hubtest-score does for parser expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { runHubTest } from '../../src/hubtest/runner.js';
import { splitLogLines } from '../../src/acquisition/file/read-all.js';
import { hubtestCommand } from '../../src/cli/commands/hubtest.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fx = join(root, 'test/hubtest/fixtures');

test('splitLogLines: \\n breaks, trailing \\r removed, empty lines skipped', () => {
  assert.deepEqual(splitLogLines(Buffer.from('a\r\n\nb\n\r\nc')), ['a', 'b', 'c']);
  assert.deepEqual(splitLogLines(Buffer.from('')), []);
});

test('mini fixture: ordering, overrides node, labels, whitelist, records per stage/node', async () => {
  const r = await runHubTest({ hubDir: join(fx, 'hub'), testDir: join(fx, 'tests/mini') });
  assert.equal(r.error, null);
  assert.deepEqual(Object.keys(r.parse).sort(), ['s00-raw', 's01-parse', 's02-enrich']);
  const s00 = r.parse['s00-raw']!;
  // overrides runs first (00_overrides.yaml), for every line, and records like any node
  assert.equal(s00.overrides!.length, 4);
  assert.ok(s00.overrides!.every((x) => x.success && x.evt.Meta.overridden === 'yes'));
  assert.equal(s00['me/raw']!.length, 4);
  assert.equal(s00['me/non-raw'], undefined); // never reached: me/raw succeeded with next_stage
  const raw0 = s00['me/raw']![0]!;
  assert.equal(raw0.evt.Parsed.program, 'app');
  assert.equal(raw0.evt.Meta.datasource_type, 'file');
  assert.ok(raw0.evt.Meta.datasource_path!.endsWith('/mini.log'));
  assert.ok(raw0.evt.Meta.datasource_path!.startsWith('/'));
  const app = r.parse['s01-parse']!['me/app']!;
  assert.deepEqual(
    app.map((x) => x.success),
    [true, false, true, false],
  );
  assert.equal(app[0]!.evt.Meta.log_type, 'app_failed_auth');
  assert.equal(app[0]!.evt.Meta.label, 'prod');
  assert.equal(app[2]!.evt.Meta.log_type, 'app_ok');
  const s02 = r.parse['s02-enrich']!;
  // basename order: allow.yaml before dates.yaml
  assert.deepEqual(Object.keys(s02), ['me/allow', 'me/dates']);
  assert.deepEqual(
    s02['me/allow']!.map((x) => x.evt.Whitelisted),
    [false, true],
  );
  assert.equal(s02['me/allow']![1]!.evt.WhitelistReason, 'local range');
  // year-less date completed with reference_now's year
  assert.equal(s02['me/dates']![0]!.evt.Meta.timestamp, '2026-02-12T14:10:21Z');
  assert.deepEqual(r.alerts, []);
});

test('broken fixture: a load error is reported as {"error": ...} naming file, node, field', async () => {
  const out: string[] = [];
  const code = await hubtestCommand.run(
    ['run', '--hub', join(fx, 'hub'), '--test', join(fx, 'tests/broken'), '--json'],
    { out: (s) => out.push(s), err: () => undefined },
  );
  assert.equal(code, 1);
  const j = JSON.parse(out.join('')) as { error: string };
  assert.match(j.error, /bad\.yaml/);
  assert.match(j.error, /me\/bad/);
  assert.match(j.error, /filter/);
});

test('human summary without --json', async () => {
  const out: string[] = [];
  const code = await hubtestCommand.run(['run', '--hub', join(fx, 'hub'), '--test', join(fx, 'tests/mini')], {
    out: (s) => out.push(s),
    err: () => undefined,
  });
  assert.equal(code, 0);
  assert.match(out.join('\n'), /me\/app: 2\/4 ok/);
});

test(
  'alerts fixture: scenario overflows go through postoverflows; whitelisted ones are reported',
  { skip: !existsSync(join(root, 'src/buckets/index.ts')) },
  async () => {
    // emission order (alertOrder: 'emission'), then Go hubtest's order: descending by scenario + sources
    const e = await runHubTest({ hubDir: join(fx, 'hub'), testDir: join(fx, 'tests/alerts'), alertOrder: 'emission' });
    assert.deepEqual(
      e.alerts.map((a) => [a.scenario, Object.keys(a.sources), a.whitelisted]),
      [
        ['me/app-failed-auth', ['1.2.3.4'], true],
        ['me/app-failed-auth', ['5.6.7.8'], false],
      ],
    );
    const r = await runHubTest({ hubDir: join(fx, 'hub'), testDir: join(fx, 'tests/alerts') });
    assert.equal(r.error, null);
    assert.deepEqual(
      r.alerts.map((a) => [a.scenario, Object.keys(a.sources), a.whitelisted]),
      [
        ['me/app-failed-auth', ['5.6.7.8'], false],
        ['me/app-failed-auth', ['1.2.3.4'], true],
      ],
    );
    assert.equal(r.alerts[0]!.events[0]!.meta.user, 'eve');
    // postoverflow nodes record into the same parse map under their own stage
    const po = r.parse['s01-whitelist']!['me/po-wl']!;
    assert.deepEqual(
      po.map((x) => [x.success, x.evt.Whitelisted, x.evt.WhitelistReason]),
      [
        [true, true, 'po reason'],
        [true, false, ''],
      ],
    );
  },
);

// A real hub test, checked on its parser expectations (subset of hubtest-score's checks).
const shared = sharedPath('hub-tests');
const realTest = join(shared, 'nginx_http-logs');
test(
  'real hub test (nginx_http-logs) parser expectations',
  { skip: skipUnless(join(realTest, 'expect.json')) },
  async () => {
    const expect = JSON.parse(readFileSync(join(realTest, 'expect.json'), 'utf8')) as {
      expect_parse: {
        stage: string;
        parser: string;
        index: number;
        success?: boolean;
        fields: Record<string, unknown>;
      }[];
      expect_parse_counts: {
        stage_count: number | null;
        per_parser: { stage: string; parser: string; count: number }[];
      } | null;
    };
    const r = await runHubTest({ hubDir: join(shared, '..', 'hub'), testDir: realTest });
    assert.equal(r.error, null);
    if (expect.expect_parse_counts?.stage_count != null)
      assert.equal(Object.keys(r.parse).length, expect.expect_parse_counts.stage_count);
    for (const pc of expect.expect_parse_counts?.per_parser ?? []) {
      assert.equal(r.parse[pc.stage]?.[pc.parser]?.length ?? 0, pc.count, `${pc.stage} ${pc.parser}`);
    }
    for (const ep of expect.expect_parse) {
      const got = r.parse[ep.stage]?.[ep.parser]?.[ep.index];
      assert.ok(got, `${ep.stage} ${ep.parser} #${ep.index} recorded`);
      if (ep.success !== undefined) assert.equal(got.success, ep.success);
      for (const [path, check] of Object.entries(ep.fields)) {
        if (typeof check !== 'string') continue;
        const m = /^(Parsed|Meta|Enriched)\.(\w+)$/.exec(path);
        if (!m) continue;
        const v = (got.evt as unknown as Record<string, Record<string, string>>)[m[1]!]![m[2]!] ?? '';
        assert.equal(v, check, `${ep.stage} ${ep.parser} #${ep.index} ${path}`);
      }
    }
  },
);
