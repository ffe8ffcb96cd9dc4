// Exactly once, with real processes on loopback: site A (`picket run`, online_client) pushes through a proxy to
// Picket Central (`picket central run`). The proxy forwards a batch to the central but keeps the acknowledgement
// from site A, which is then killed with SIGKILL: the central has the signals, site A's outbox still owes them.
// The central is stopped for a while, site A restarted in between (and attacked again meanwhile); once the
// central is back, every signal is delivered and stored exactly once: signals at the central = alerts at site A.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, picket, startPicket, tempDir, type RunningPicket } from '../cli/helpers.js';
import {
  attack,
  centralSignals,
  sentSignals,
  siteAlerts,
  siteFiles,
  startCentralChild,
  startProxy,
  untilCount,
  type CentralChild,
  type CrowdProxy,
} from './crowd-helpers.js';

process.env.PICKET_CAPI_PUSH_INTERVAL = '1s';

const diag = (site: RunningPicket | null) => (e: Error) => {
  throw new Error(`${e.message}\nsite stderr:\n${site?.stderr() ?? ''}`);
};

test('a resend after SIGKILL between send and acknowledgement, and a central down for a while: each once', async () => {
  const dir = tempDir('picket-crowd-once-');
  const centralDir = path.join(dir, 'central');
  let central: CentralChild | null = await startCentralChild(centralDir);
  let proxy: CrowdProxy | null = null;
  let site: RunningPicket | null = null;
  try {
    proxy = await startProxy(central.url);
    const creds = path.join(dir, 'online_api_credentials.yaml');
    const reg = await picket(['capi', 'register', '--url', proxy.url, '-f', creds, '--data', path.join(dir, 'd')]);
    assert.equal(reg.code, 0, reg.stderr);
    const { log, acquis, config } = siteFiles(dir, creds);
    const args = ['--config', config, '--acquis', acquis, '--from-start', '--workers', '0', '--poll', '50'];
    site = await startPicket([...args, '--metrics', 'off'], dir);
    const s1 = site;

    // 1. shared as usual
    fs.appendFileSync(log, attack('45.33.30.1'));
    await eventually(async () => (await centralSignals(centralDir)) === 2, 'the first 2 signals', 30_000).catch(
      diag(s1),
    );

    // 2. the central stores the next batch, site A never hears the acknowledgement and is killed
    proxy.hold = true;
    fs.appendFileSync(log, attack('45.33.30.2'));
    await eventually(async () => proxy!.held > 0 && (await centralSignals(centralDir)) === 4, 'a held batch', 30_000);
    const before = await siteAlerts(s1.data);
    assert.equal(before.length, 4);
    const owed = (await sentSignals(s1.data)).length;
    assert.equal(owed, 2, 'the held batch is not in the audit trail: site A still owes it');
    await new Promise<void>((r) => {
      s1.child.once('exit', () => r());
      s1.child.kill('SIGKILL');
    });

    // 3. the central goes down; site A restarts and is attacked again meanwhile
    assert.equal(await central.stop(), 0);
    central = null;
    proxy.target = null;
    proxy.hold = false;
    site = await startPicket([...args, '--metrics', 'off'], dir);
    const s2 = site;
    fs.appendFileSync(log, attack('45.33.30.3'));
    const alerts = await untilCount(() => siteAlerts(s2.data), 6, 'the third attack at site A').catch(diag(s2));
    await eventually(async () => /push failed/.test(s2.stderr()), 'a failed push while the central is down');
    assert.equal(await centralSignals(centralDir), 4);

    // 4. the central is back: what site A owes is delivered; the resent batch is stored once
    central = await startCentralChild(centralDir);
    proxy.target = central.url;
    const sent = await untilCount(() => sentSignals(s2.data), 6, 'every signal acknowledged', 40_000).catch(diag(s2));
    assert.deepEqual(sent.map((s) => s.uuid).sort(), alerts.map((a) => a.uuid).sort());
    await eventually(async () => (await centralSignals(centralDir)) === 6, 'the signals at the central', 10_000);
    assert.equal(await site.stop(), 0);
    site = null;
    assert.equal(await centralSignals(centralDir), alerts.length, 'signals at the central = alerts at site A');
  } finally {
    if (site) await site.stop();
    await proxy?.close();
    await central?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
