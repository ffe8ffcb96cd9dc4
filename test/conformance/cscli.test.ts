// Conformance (d): CrowdSec 1.4.6's `cscli`, with an isolated config whose credentials point at the LAPI under
// test, adds, lists (with filters) and deletes decisions, lists, inspects and deletes alerts through it, and the
// results are right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeCredentials, writeCrowdsecConfig, type CrowdsecConfig } from './harness/crowdsec.js';
import { runCommand } from './harness/proc.js';
import type { RecordingProxy } from './harness/proxy.js';
import { goDurationSeconds, skipReason, withLapi } from './harness/suite.js';

interface WireDecision {
  duration: string;
  id: number;
  origin: string;
  scenario: string;
  scope: string;
  type: string;
  value: string;
}
interface WireAlert {
  id: number;
  scenario: string;
  machine_id?: string;
  decisions: WireDecision[] | null;
  source?: { scope?: string; value?: string };
}

async function cscliOk(cfg: CrowdsecConfig, proxy: RecordingProxy, args: string[]): Promise<string> {
  const r = await runCommand('cscli', ['-c', cfg.configFile, ...args], { timeoutMs: 30_000 });
  assert.equal(
    r.code,
    0,
    `cscli ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n--- exchanges ---\n${proxy.dump(4)}`,
  );
  return r.stdout + r.stderr;
}

async function listJson(cfg: CrowdsecConfig, proxy: RecordingProxy, args: string[]): Promise<WireAlert[]> {
  const r = await runCommand('cscli', ['-c', cfg.configFile, ...args, '-o', 'json'], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `cscli ${args.join(' ')} -o json exited ${r.code}: ${r.stderr}\n${proxy.dump(3)}`);
  const parsed = JSON.parse(r.stdout) as WireAlert[] | null;
  return parsed ?? [];
}

/** a decision added for `max` seconds has between max - 60 and max seconds left */
function assertRemaining(d: WireDecision, max: number): void {
  const s = goDurationSeconds(d.duration);
  assert.ok(s > max - 60 && s <= max, `remaining duration of ${d.value}: ${d.duration}`);
}

const decisionsOf = (alerts: WireAlert[]): WireDecision[] => alerts.flatMap((a) => a.decisions ?? []);

test(
  'cscli: decisions add / list -o json / delete and alerts list through the LAPI',
  { skip: skipReason('cscli') },
  async () => {
    await withLapi(async (target, proxy) => {
      await target.addMachine('conformance-cscli', 'cscli-password-0123456789');
      const cfg = writeCrowdsecConfig(path.join(target.dir, 'cscli'));
      writeCredentials(cfg.credentialsFile, {
        url: proxy.url,
        login: 'conformance-cscli',
        password: 'cscli-password-0123456789',
      });

      await cscliOk(cfg, proxy, ['decisions', 'add', '-i', '192.0.2.50', '-d', '5m', '-R', 'conformance reason']);
      await cscliOk(cfg, proxy, ['decisions', 'add', '-r', '198.51.100.0/24', '-d', '10m']);
      await cscliOk(cfg, proxy, ['decisions', 'add', '-i', '2001:db8::50', '-d', '15m', '-t', 'captcha']);
      const login = proxy.find('POST /v1/watchers/login');
      assert.ok(login.length >= 3 && login.every((e) => e.status === 200), proxy.dump(3, 'POST /v1/watchers/login'));
      assert.ok(
        proxy.find('POST /v1/alerts').every((e) => e.status === 201),
        proxy.dump(3, 'POST /v1/alerts'),
      );

      const listed = decisionsOf(await listJson(cfg, proxy, ['decisions', 'list']));
      const byValue = new Map(listed.map((d) => [d.value, d]));
      const dump = JSON.stringify(listed);
      const v4 = byValue.get('192.0.2.50');
      assert.ok(v4, `192.0.2.50 listed: ${dump}`);
      assert.deepEqual([v4.scope, v4.type, v4.origin, v4.scenario], ['Ip', 'ban', 'cscli', 'conformance reason'], dump);
      const range = byValue.get('198.51.100.0/24');
      assert.ok(range, `range listed: ${dump}`);
      assert.deepEqual(
        [range.scope, range.type, range.origin, range.scenario],
        ['Range', 'ban', 'cscli', "manual 'ban' from 'conformance-cscli'"],
        dump,
      );
      const v6 = byValue.get('2001:db8::50');
      assert.ok(v6, `IPv6 listed: ${dump}`);
      assert.deepEqual([v6.scope, v6.type, v6.origin], ['Ip', 'captcha', 'cscli'], dump);
      assertRemaining(v4, 300);
      assertRemaining(range, 600);
      assertRemaining(v6, 900);
      assert.equal(new Set(listed.map((d) => d.id)).size, listed.length, `decision ids are unique: ${dump}`);

      const bouncerKey = await target.addBouncer('conformance-cscli-check');
      const res = await fetch(`${target.url}v1/decisions?ip=198.51.100.7`, { headers: { 'X-Api-Key': bouncerKey } });
      const covering = (await res.json()) as WireDecision[] | null;
      assert.equal(res.status, 200);
      assert.deepEqual(
        covering?.map((d) => d.value),
        ['198.51.100.0/24'],
        'the range added by cscli covers 198.51.100.7',
      );

      const out = await cscliOk(cfg, proxy, ['decisions', 'delete', '-i', '192.0.2.50']);
      assert.match(out, /1 decision\(s\) deleted/, `${out}\n${proxy.dump(2, 'DELETE')}`);
      const after = decisionsOf(await listJson(cfg, proxy, ['decisions', 'list']))
        .map((d) => d.value)
        .sort();
      assert.deepEqual(
        after,
        ['198.51.100.0/24', '2001:db8::50'],
        `after deleting 192.0.2.50\n${proxy.dump(1, 'GET /v1/alerts')}`,
      );

      const alerts = await listJson(cfg, proxy, ['alerts', 'list']);
      const scenarios = alerts.map((a) => a.scenario).sort();
      assert.deepEqual(
        scenarios,
        [
          "manual 'ban' from 'conformance-cscli'",
          "manual 'captcha' from 'conformance-cscli'",
          'conformance reason',
        ].sort(),
        JSON.stringify(alerts).slice(0, 3000),
      );
      const deletedAlert = alerts.find((a) => a.scenario === 'conformance reason');
      assert.equal(deletedAlert?.machine_id, 'conformance-cscli');
      assert.equal(deletedAlert?.source?.value, '192.0.2.50');
      const deletedDecision = deletedAlert?.decisions?.[0];
      assert.ok(
        deletedDecision && goDurationSeconds(deletedDecision.duration) <= 0,
        `the deleted decision is still attached to its alert, expired: ${JSON.stringify(deletedAlert)}`,
      );

      // filters, inspect, delete by id, alert deletion
      const covering2 = decisionsOf(await listJson(cfg, proxy, ['decisions', 'list', '-i', '198.51.100.7'])).map(
        (d) => d.value,
      );
      assert.deepEqual(
        covering2,
        ['198.51.100.0/24'],
        `decisions list -i 198.51.100.7\n${proxy.dump(1, 'GET /v1/alerts')}`,
      );
      const captchas = decisionsOf(await listJson(cfg, proxy, ['decisions', 'list', '-t', 'captcha'])).map(
        (d) => d.value,
      );
      assert.deepEqual(captchas, ['2001:db8::50'], `decisions list -t captcha\n${proxy.dump(1, 'GET /v1/alerts')}`);
      const rangeAlert = alerts.find((a) => a.source?.value === '198.51.100.0/24');
      assert.ok(rangeAlert, JSON.stringify(alerts).slice(0, 2000));
      const inspect = await runCommand(
        'cscli',
        ['-c', cfg.configFile, 'alerts', 'inspect', String(rangeAlert.id), '-o', 'json'],
        { timeoutMs: 30_000 },
      );
      assert.equal(inspect.code, 0, `${inspect.stderr}\n${proxy.dump(1, 'GET /v1/alerts/')}`);
      const inspected = JSON.parse(inspect.stdout) as WireAlert;
      assert.deepEqual(
        [inspected.id, inspected.scenario, inspected.decisions?.[0]?.value],
        [rangeAlert.id, rangeAlert.scenario, '198.51.100.0/24'],
        inspect.stdout.slice(0, 1500),
      );
      const byId = await cscliOk(cfg, proxy, ['decisions', 'delete', '--id', String(range.id)]);
      assert.match(byId, /1 decision\(s\) deleted/, `${byId}\n${proxy.dump(1, 'DELETE')}`);
      const afterId = decisionsOf(await listJson(cfg, proxy, ['decisions', 'list'])).map((d) => d.value);
      assert.deepEqual(afterId, ['2001:db8::50'], `after deleting decision ${range.id}`);
      const alertsDeleted = await cscliOk(cfg, proxy, ['alerts', 'delete', '--ip', '192.0.2.50']);
      assert.match(alertsDeleted, /1 alert\(s\) deleted/, `${alertsDeleted}\n${proxy.dump(1, 'DELETE /v1/alerts')}`);
      const remaining = (await listJson(cfg, proxy, ['alerts', 'list'])).map((a) => a.source?.value).sort();
      assert.deepEqual(
        remaining,
        ['198.51.100.0/24', '2001:db8::50'],
        'alerts left after deleting the one of 192.0.2.50',
      );
    });
  },
);
