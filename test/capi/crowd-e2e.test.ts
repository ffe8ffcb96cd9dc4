// The crowd push end to end with real processes on loopback: Picket Central (`picket central run`), `picket capi
// register` and `picket capi status` against it, and site A (`picket run` with online_client): an ssh attack
// appended to site A's log becomes an alert, then a signal the central stores; the audit trail (`picket capi
// signals -o json`) holds the exact bytes, checked field by field against the `minimal` v3 shape (capi.md §4.2:
// only what the protocol requires). Without online_client, site A says once that nothing leaves the machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, picket, startPicket, tempDir } from '../cli/helpers.js';
import {
  MINIMAL_SIGNAL_KEYS,
  attack,
  centralSignals,
  siteAlerts,
  siteFiles,
  sentSignals,
  startCentralChild,
} from './crowd-helpers.js';

process.env.PICKET_CAPI_PUSH_INTERVAL = '1s';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

test('site A shares a replayed attack with Picket Central as minimal signals; capi status logs in', async () => {
  const dir = tempDir('picket-crowd-e2e-');
  const centralDir = path.join(dir, 'central');
  const central = await startCentralChild(centralDir);
  let site: Awaited<ReturnType<typeof startPicket>> | null = null;
  try {
    const creds = path.join(dir, 'online_api_credentials.yaml');
    const reg = await picket(['capi', 'register', '--url', central.url, '-f', creds, '--data', path.join(dir, 'd')]);
    assert.equal(reg.code, 0, reg.stderr);
    const { log, acquis, config } = siteFiles(dir, creds);
    const st = await picket(['capi', 'status', '-f', creds, '--config', config, '--data', path.join(dir, 'd')]);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /successfully interact with the central API/);

    assert.match(st.stdout, /sharing: minimal \(manual decisions: no, custom scenarios: yes, tainted scenarios: yes/);
    assert.match(st.stdout, /pull: community blocklist yes, subscribed lists yes, every 1 min/);
    site = await startPicket(
      [
        '--config',
        config,
        '--acquis',
        acquis,
        '--from-start',
        '--workers',
        '0',
        '--poll',
        '50',
        '--metrics',
        '127.0.0.1:0',
      ],
      dir,
    );
    await eventually(async () => /watching .*auth\.log/.test(site!.stderr()), 'the tailer');
    assert.match(site.stderr(), /crowd sharing: minimal signals to http:\/\/127\.0\.0\.1:\d+/);
    fs.appendFileSync(log, attack('45.33.20.1'));
    const alerts = await eventually(async () => {
      const a = await siteAlerts(site!.data);
      return a.length >= 2 && a;
    }, 'the alerts at site A').catch((e: Error) => {
      throw new Error(`${e.message}\nstderr: ${site?.stderr()}\nstdout: ${site?.stdout()}`);
    });
    const sent = await eventually(async () => {
      const s = await sentSignals(site!.data);
      return s.length >= alerts.length && s;
    }, 'the signal in the audit trail');
    assert.equal(sent.length, alerts.length);
    assert.deepEqual(sent.map((s) => s.uuid).sort(), alerts.map((a) => a.uuid).sort(), 'one signal per alert, by uuid');
    for (const row of sent) {
      assert.equal(row.url, `${central.url}/v3/signals`);
      const sig = JSON.parse(row.body) as Record<string, unknown>;
      // minimal: exactly the fields the protocol requires, in §4.2's order
      assert.deepEqual(Object.keys(sig), MINIMAL_SIGNAL_KEYS);
      assert.equal(sig.message, '', 'no message (it embeds the address and the machine wording)');
      assert.match(String(sig.scenario), /^picket\/ssh-/);
      assert.equal(typeof sig.scenario_hash, 'string');
      assert.equal(typeof sig.scenario_version, 'string');
      assert.ok(['certified', 'tainted', 'custom'].includes(String(sig.scenario_trust)));
      assert.deepEqual(sig.source, { scope: 'Ip', value: '45.33.20.1' }, 'no geo, AS, range or ip copy');
      assert.match(String(sig.start_at), RFC3339);
      assert.match(String(sig.stop_at), RFC3339);
      assert.equal(sig.context, null);
      assert.equal(row.uuid, sig.uuid);
      assert.ok(!row.body.includes('web01') && !row.body.includes('machine_id'), 'no machine name');
    }
    // the central stored them (each once)
    await eventually(async () => (await centralSignals(centralDir)) === alerts.length, 'the signals at the central');
    // the counters on /metrics
    const metricsUrl = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(site.stderr())?.[1];
    if (metricsUrl) {
      const text = await (await fetch(metricsUrl)).text();
      assert.match(text, new RegExp(`picket_capi_signals_sent_total ${alerts.length}\\b`));
      assert.match(text, /picket_capi_signals_dropped_total 0\b/);
    }
    assert.equal(await site.stop(), 0);
    site = null;
  } finally {
    if (site) await site.stop();
    await central.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without online_client nothing leaves the machine, and picket run says so once', async () => {
  const dir = tempDir('picket-crowd-off-');
  const site = await startPicket(['--no-agent', '--metrics', 'off'], dir);
  try {
    await eventually(async () => /crowd sharing is off/.test(site.stderr()), 'the crowd line');
    assert.equal(site.stderr().match(/crowd sharing is off/g)?.length, 1);
    assert.match(site.stderr(), /nothing leaves the machine/);
  } finally {
    await site.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
