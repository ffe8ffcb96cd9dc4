// Conformance (drop-in): a Debian crowdsec host (a temp copy of /etc/crowdsec, its database filled by the real
// cscli and crowdsec, real bouncers registered with their own keys) is moved to Picket as the README says:
// crowdsec stopped, `picket import crowdsec`, hub items installed from Debian's hub folder, and
// `picket run --config <its config.yaml>` on the same port. The bouncers, their configs and keys unchanged, go on:
// - the crowdsec-custom-bouncer gets the decision CrowdSec had taken and the one Picket's agent takes from a log
//   line;
// - the crowdsec-firewall-bouncer (nftables, in a private network namespace: harness/firewall-bouncer.ts) keeps
//   the imported ban in its nft set, adds the one added through Picket and removes it once deleted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CustomBouncer } from './harness/custom-bouncer.js';
import {
  elementIn,
  FIREWALL_BINARIES,
  hostBridge,
  namespaceUnavailable,
  startFirewallBouncer,
  writeFirewallConfig,
} from './harness/firewall-bouncer.js';
import { startProcess, stopAll, waitForHttp, type Spawned } from './harness/proc.js';
import { skipReason } from './harness/suite.js';
import { PICKET_BIN, REPO } from './harness/target.js';
import {
  cscliOn,
  debianAvailable,
  debianCopy,
  startCrowdsecLapi,
  useFreeLapiPort,
  type DebianCopy,
} from '../config/debian-copy.js';
import { picket } from '../cli/helpers.js';

const DEBIAN_HUB = '/usr/share/crowdsec/hub';
const KEY = 'custom-bouncer-key-kept-0123456789';
const FW_KEY = 'firewall-bouncer-key-kept-0123456789';

const hostSkip =
  debianAvailable() ||
  (fs.existsSync(path.join(DEBIAN_HUB, '.index.json')) ? false : `${DEBIAN_HUB}/.index.json is missing`);

/** A Debian crowdsec host copy with its LAPI on a free port and one bouncer registered by cscli with `key`. */
async function crowdsecHost(prefix: string, bouncer: string, key: string): Promise<{ d: DebianCopy; url: string }> {
  const d = debianCopy(prefix);
  const port = await useFreeLapiPort(d);
  cscliOn(d, 'bouncers', 'add', bouncer, '-k', key);
  return { d, url: `http://127.0.0.1:${port}/` };
}

/** Runs `body` while Debian's crowdsec serves the copy's LAPI. */
async function underCrowdsec(d: DebianCopy, body: () => Promise<void>): Promise<void> {
  const stop = await startCrowdsecLapi(d);
  try {
    await body();
  } finally {
    await stop();
  }
}

/** The move: import, hub items from Debian's folder, then Picket on the same config and port (returned). */
async function moveToPicket(d: DebianCopy, url: string): Promise<Spawned> {
  const imp = await picket(['import', 'crowdsec', '--config', d.config]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /bouncers: 1 copied/);
  assert.match(imp.stdout, /active decisions: 1 copied/);
  for (const args of [
    ['hub', 'update', '--url', DEBIAN_HUB],
    ['collections', 'install', 'crowdsecurity/linux'],
  ]) {
    const r = await picket([...args, '--config', d.config]);
    assert.equal(r.code, 0, r.stderr);
  }
  const run = startProcess('picket', process.execPath, [PICKET_BIN, 'run', '--config', d.config, '--workers', '0'], {
    cwd: REPO,
    logDir: d.dir,
  });
  await waitForHttp(`${url}v1/heartbeat`, 30_000, run);
  return run;
}

test(
  'a CrowdSec host moved to Picket: the custom bouncer keeps working with its unchanged key',
  { skip: skipReason('crowdsec', 'cscli', 'crowdsec-custom-bouncer') || hostSkip, timeout: 180_000 },
  async () => {
    const { d, url } = await crowdsecHost('picket-replace-', 'custom', KEY);
    try {
      // 1. CrowdSec serves the bouncer
      await underCrowdsec(d, async () => {
        cscliOn(d, 'decisions', 'add', '-i', '192.0.2.44', '-d', '4h');
        const bouncer = CustomBouncer.start(path.join(d.dir, 'bouncer'), url, KEY);
        await bouncer.waitCall('add', '192.0.2.44', 0);
        await bouncer.stop();
      });
      // 2. the move
      const run = await moveToPicket(d, url);
      // 3. the same bouncer, same key and config: the imported decision, then one Picket's agent takes
      const again = CustomBouncer.start(path.join(d.dir, 'bouncer-2'), url, KEY);
      await again.waitCall('add', '192.0.2.44', 0).catch((e: Error) => {
        throw new Error(`${e.message}\n${run.tail(20)}`);
      });
      let n = 0;
      const line = (i: number) =>
        `Dec  7 10:00:0${i % 10} host sshd[1]: Failed password for invalid user u${i} from 192.0.2.45 port 22 ssh2\n`;
      const feeder = setInterval(() => fs.appendFileSync(d.logFile, [0, 1, 2].map(() => line(n++)).join('')), 300);
      try {
        await again.waitCall('add', '192.0.2.45', 0, 30_000).catch((e: Error) => {
          throw new Error(`${e.message}\n${run.tail(20)}`);
        });
      } finally {
        clearInterval(feeder);
      }
    } finally {
      await stopAll();
      fs.rmSync(d.dir, { recursive: true, force: true });
    }
  },
);

test(
  'a CrowdSec host moved to Picket: the firewall bouncer (nftables, private netns) keeps its unchanged key',
  { skip: skipReason('crowdsec', 'cscli', ...FIREWALL_BINARIES) || hostSkip, timeout: 180_000 },
  async (t) => {
    const unavailable = await namespaceUnavailable();
    if (unavailable) {
      t.skip(unavailable);
      return;
    }
    const { d, url } = await crowdsecHost('picket-replace-fw-', 'firewall', FW_KEY);
    const dir = path.join(d.dir, 'fw');
    fs.mkdirSync(dir);
    const port = Number(new URL(url).port);
    const host = await hostBridge(dir, port);
    const [KEPT, ADDED] = ['192.0.2.46', '192.0.2.47'];
    try {
      const config = writeFirewallConfig(dir, url, FW_KEY);
      const start = (name: string) => startFirewallBouncer({ dir, name, config, sock: host.sock, port });
      // 1. CrowdSec serves the bouncer: its ban is in the nft set
      await underCrowdsec(d, async () => {
        cscliOn(d, 'decisions', 'add', '-i', KEPT, '-d', '4h');
        const fw = start('fw-under-crowdsec');
        await fw.waitRules(`${KEPT} (CrowdSec's decision) in ip crowdsec`, (rs) => elementIn(rs, 'ip crowdsec', KEPT));
        await fw.stop();
      });
      // 2. the move; 3. the same bouncer binary, config and key against Picket
      const run = await moveToPicket(d, url);
      const fw = startFirewallBouncer(
        { dir, name: 'fw-under-picket', config, sock: host.sock, port },
        () => `--- picket run ---\n${run.tail(20)}`,
      );
      await fw.waitRules(`${KEPT} (imported) in ip crowdsec`, (rs) => elementIn(rs, 'ip crowdsec', KEPT));
      const add = await picket(['decisions', 'add', '-i', ADDED, '-d', '5m', '--config', d.config]);
      assert.equal(add.code, 0, add.stderr);
      await fw.waitRules(`${ADDED} (added through Picket) in ip crowdsec`, (rs) => elementIn(rs, 'ip crowdsec', ADDED));
      const del = await picket(['decisions', 'delete', '-i', ADDED, '--config', d.config]);
      assert.equal(del.code, 0, del.stderr);
      await fw.waitRules(`${ADDED} to leave ip crowdsec`, (rs) => !elementIn(rs, 'ip crowdsec', ADDED));
      assert.ok(elementIn(await fw.ruleset(), 'ip crowdsec', KEPT), `${KEPT} (not deleted) stays`);
      await fw.stop();
    } finally {
      host.server.close();
      await stopAll();
      fs.rmSync(d.dir, { recursive: true, force: true });
    }
  },
);
