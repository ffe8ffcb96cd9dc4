// Conformance (a): the real crowdsec-custom-bouncer receives decisions added and deleted in the LAPI under test,
// for an IPv4 and an IPv6 (the shared peers/bouncer-conformance.sh) and for a range (checked here), and a
// decision that existed before the bouncer started arrives with its startup snapshot, as deleted ones do (in
// `deleted`) for a bouncer started after their deletion.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CustomBouncer } from './harness/custom-bouncer.js';
import { runCommand, sleep, waitFor } from './harness/proc.js';
import { goDurationSeconds, skipReason, withLapi } from './harness/suite.js';
import { REPO } from './harness/target.js';

const SCRIPT = process.env.BOUNCER_CONFORMANCE_SH ?? path.join(REPO, '..', 'shared', 'peers', 'bouncer-conformance.sh');
const scriptMissing = fs.existsSync(SCRIPT)
  ? false
  : `${SCRIPT} not present (set BOUNCER_CONFORMANCE_SH); the IPv4/IPv6 pairs are checked by the next test instead`;

test(
  'custom bouncer: bouncer-conformance.sh sees an IPv4 and an IPv6 decision added then deleted',
  { skip: skipReason('crowdsec-custom-bouncer', 'bash') || scriptMissing },
  async () => {
    await withLapi(async (target, proxy) => {
      const r = await runCommand('bash', [SCRIPT], {
        timeoutMs: 150_000,
        env: {
          ...process.env,
          LAPI_URL: proxy.url,
          BOUNCER_KEY_CMD: target.bouncerKeyCmd,
          ADD_CMD: target.addCmd,
          DEL_CMD: target.delCmd,
          TEST_IP: '192.0.2.126',
          TEST_IPV6: '2001:db8::77',
          TIMEOUT: '25',
        },
      });
      const report = `exit ${r.code}\n${r.stdout}\n${r.stderr}\n--- exchanges ---\n${proxy.dump(15)}`;
      assert.equal(r.code, 0, report);
      assert.match(r.stdout, /bouncer-conformance: 4\/4 passed/, report);
    });
  },
);

test(
  'custom bouncer: a range (and an IPv4, an IPv6) added then deleted reach it with the right scope and duration',
  { skip: skipReason('crowdsec-custom-bouncer') },
  async () => {
    await withLapi(async (target, proxy) => {
      const key = await target.addBouncer('conformance-range');
      await target.addDecision('192.0.2.200', '5m'); // before the bouncer starts: it must come in the startup snapshot
      const bouncer = CustomBouncer.start(path.join(target.dir, 'custom-bouncer'), proxy.url, key);
      await waitFor(
        'two stream pulls (startup and one delta)',
        20_000,
        () => proxy.find('GET /v1/decisions/stream').length >= 2,
      );
      const first = proxy.find('GET /v1/decisions/stream')[0]!;
      assert.equal(first.url, '/v1/decisions/stream?startup=true', proxy.dump(2));
      await bouncer.waitCall('add', '192.0.2.200', 0, 5000).catch((err: Error) => {
        throw new Error(`${err.message}\n${proxy.dump(2)}`);
      });
      const values = scriptMissing ? ['198.51.100.0/24', '192.0.2.127', '2001:db8::78'] : ['198.51.100.0/24'];
      for (const value of values) {
        const from = bouncer.calls().length;
        await target.addDecision(value, '5m');
        const add = await bouncer.waitCall('add', value, from).catch((err: Error) => {
          throw new Error(`${err.message}\n${proxy.dump(8, 'GET /v1/decisions/stream')}`);
        });
        assert.equal(add.decision?.scope, value.includes('/') ? 'Range' : 'Ip', add.line);
        assert.equal(add.decision?.type, 'ban', add.line);
        assert.equal(add.decision?.value, value, add.line);
        const secs = goDurationSeconds(String(add.decision?.duration));
        assert.ok(secs > 240 && secs <= 300, `duration of a 5m decision: ${add.line}`);
        assert.ok(add.seconds > 240 && add.seconds <= 300, `remaining seconds passed to the script: ${add.line}`);
        const before = bouncer.calls().length;
        await target.deleteDecision(value);
        const del = await bouncer.waitCall('del', value, before).catch((err: Error) => {
          throw new Error(`${err.message}\n${proxy.dump(8, 'GET /v1/decisions/stream')}`);
        });
        assert.ok(
          goDurationSeconds(String(del.decision?.duration)) <= 0,
          `a deleted decision has a duration <= 0: ${del.line}`,
        );
      }
      const statuses = new Set(proxy.find('GET /v1/decisions/stream').map((e) => e.status));
      assert.deepEqual([...statuses], [200], proxy.dump(5));

      // A bouncer starting now gets the deleted decisions in its startup snapshot's `deleted` (to clean old state).
      await bouncer.stop();
      const pullsBefore = proxy.find('GET /v1/decisions/stream').length;
      const restarted = CustomBouncer.start(path.join(target.dir, 'custom-bouncer-2'), proxy.url, key);
      for (const value of values) {
        await restarted.waitCall('del', value, 0, 15_000).catch((err: Error) => {
          throw new Error(`${err.message}\n${proxy.dump(1, 'GET /v1/decisions/stream?startup=true')}`);
        });
      }
      assert.equal(
        proxy.find('GET /v1/decisions/stream').slice(pullsBefore)[0]?.url,
        '/v1/decisions/stream?startup=true',
      );
    });
  },
);

interface StreamDecision {
  id: number;
  value: string;
  duration: string;
}
interface StreamBody {
  new: StreamDecision[] | null;
  deleted: StreamDecision[] | null;
}

test(
  'custom bouncer stream: de-duplication, longest decision wins (a shorter one is not sent; deleting the longest while another lasts sends nothing)',
  { skip: skipReason('crowdsec-custom-bouncer') },
  async () => {
    await withLapi(async (target, proxy) => {
      const ip = '203.0.113.7';
      const key = await target.addBouncer('conformance-dedup');
      const bouncer = CustomBouncer.start(path.join(target.dir, 'custom-bouncer'), proxy.url, key);
      const pulls = (): typeof proxy.exchanges => proxy.find('GET /v1/decisions/stream');
      await waitFor('two stream pulls', 20_000, () => pulls().length >= 2);
      /** this IP's entries in the `list` of the polls answered after poll number `from` */
      const seen = (from: number, list: 'new' | 'deleted'): StreamDecision[] =>
        pulls()
          .slice(from)
          .flatMap((e) => (JSON.parse(e.responseBody) as StreamBody)[list] ?? [])
          .filter((d) => d.value === ip);
      const context = (): string => proxy.dump(6, 'GET /v1/decisions/stream');
      const expectSent = (what: string, from: number, list: 'new' | 'deleted'): Promise<StreamDecision> =>
        waitFor(what, 20_000, () => seen(from, list)[0]).catch((err: Error) => {
          throw new Error(`${err.message}\n${context()}`);
        });
      const expectQuiet = async (what: string, from: number): Promise<void> => {
        await waitFor('three more stream polls', 15_000, () => pulls().length >= from + 3);
        assert.deepEqual(
          [...seen(from, 'new'), ...seen(from, 'deleted')],
          [],
          `${what}: nothing must be sent for ${ip}\n${context()}`,
        );
      };

      let from = pulls().length;
      await target.addDecision(ip, '10m');
      const ten = await expectSent('the 10m decision in new', from, 'new');
      assert.ok(goDurationSeconds(ten.duration) > 540, ten.duration);
      await bouncer.waitCall('add', ip, 0);

      from = pulls().length;
      await target.addDecision(ip, '2m');
      await expectQuiet('a 2m decision while a 10m one is active', from);

      from = pulls().length;
      await target.addDecision(ip, '20m');
      const twenty = await expectSent('the longer (20m) decision in new', from, 'new');
      assert.ok(goDurationSeconds(twenty.duration) > 1140, `the longer decision is sent: ${twenty.duration}`);

      await sleep(1500); // let the poll that carried it pass
      from = pulls().length;
      await target.deleteDecisionId(twenty.id);
      await expectQuiet(`deleting the 20m decision (id ${twenty.id}) while the 10m one lasts`, from);

      from = pulls().length;
      const calls = bouncer.calls().length;
      await target.deleteDecision(ip);
      await expectSent('the last decision in deleted once all are deleted', from, 'deleted');
      await bouncer.waitCall('del', ip, calls);
    });
  },
);
