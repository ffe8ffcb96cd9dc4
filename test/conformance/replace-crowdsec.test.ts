// Conformance (drop-in): a Debian crowdsec host (a temp copy of /etc/crowdsec, its database filled by the real
// cscli and crowdsec, the real crowdsec-custom-bouncer registered with its own key) is moved to Picket as the
// README says: crowdsec stopped, `picket import crowdsec`, hub items installed from Debian's hub folder, and
// `picket run --config <its config.yaml>` on the same port. The bouncer, its config and key unchanged, gets
// the decision CrowdSec had taken and the one Picket's agent takes from a log line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CustomBouncer } from './harness/custom-bouncer.js';
import { startProcess, stopAll, waitForHttp } from './harness/proc.js';
import { skipReason } from './harness/suite.js';
import { PICKET_BIN, REPO } from './harness/target.js';
import { cscliOn, debianAvailable, debianCopy, startCrowdsecLapi, useFreeLapiPort } from '../config/debian-copy.js';
import { picket } from '../cli/helpers.js';

const DEBIAN_HUB = '/usr/share/crowdsec/hub';
const KEY = 'custom-bouncer-key-kept-0123456789';

const skip =
  skipReason('crowdsec', 'cscli', 'crowdsec-custom-bouncer') ||
  debianAvailable() ||
  (fs.existsSync(path.join(DEBIAN_HUB, '.index.json')) ? false : `${DEBIAN_HUB}/.index.json is missing`);

test(
  'a CrowdSec host moved to Picket: the custom bouncer keeps working with its unchanged key',
  { skip, timeout: 180_000 },
  async () => {
    const d = debianCopy('picket-replace-');
    try {
      const port = await useFreeLapiPort(d);
      const url = `http://127.0.0.1:${port}/`;
      cscliOn(d, 'bouncers', 'add', 'custom', '-k', KEY);
      // 1. CrowdSec serves the bouncer
      const stopCrowdsec = await startCrowdsecLapi(d);
      let bouncer: CustomBouncer | undefined;
      try {
        cscliOn(d, 'decisions', 'add', '-i', '192.0.2.44', '-d', '4h');
        bouncer = CustomBouncer.start(path.join(d.dir, 'bouncer'), url, KEY);
        await bouncer.waitCall('add', '192.0.2.44', 0);
        await bouncer.stop();
      } finally {
        await stopCrowdsec();
      }
      // 2. the move: import, hub items from Debian's folder, Picket on the same config and port
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
      const run = startProcess(
        'picket',
        process.execPath,
        [PICKET_BIN, 'run', '--config', d.config, '--workers', '0'],
        {
          cwd: REPO,
          logDir: d.dir,
        },
      );
      await waitForHttp(`${url}v1/heartbeat`, 30_000, run);
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
