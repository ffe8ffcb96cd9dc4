// Conformance (Picket Central): Debian's CrowdSec 1.4.6 (LAPI + agent in one `crowdsec` process, CAPI v2) with
// an online_api_credentials.yaml pointing at Picket Central (registered with POST /v2/watchers, as `cscli capi
// register` only knows the public URL): it logs in, pulls the community list (a curated entry) whose decision
// its bouncers and `cscli decisions list --origin CAPI` then see with origin CAPI, pushes its metrics, and
// pushes the agent's ssh-bf alert as a signal, stored minimised and certified from the hub index.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultConfig } from '../../src/central/config.js';
import { addCurated } from '../../src/central/operator.js';
import { AddressPolicy } from '../../src/central/ipnet.js';
import { startCentral } from '../../src/central/server.js';
import { HUB, cscli, writeCrowdsecConfig } from './harness/crowdsec.js';
import { freePort, makeTempDir, startProcess, stopAll, waitFor } from './harness/proc.js';

const ATTACKER = '198.18.0.67';
const LISTED = '45.83.0.1';
const skip =
  process.env.PICKET_CONFORMANCE !== '1'
    ? 'conformance suite: run it with `npm run test:conformance`'
    : !fs.existsSync('/usr/bin/crowdsec')
      ? 'crowdsec 1.4.6 (Debian package) not installed'
      : !fs.existsSync(path.join(HUB, 'scenarios', 'crowdsecurity', 'ssh-bf.yaml'))
        ? `hub snapshot ${HUB} has no ssh-bf scenario`
        : false;

function syslogTime(d: Date): string {
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

test(
  'CrowdSec 1.4.6 LAPI against Picket Central: login, pull (origin CAPI), metrics, signals',
  { skip, timeout: 150_000 },
  async () => {
    const dir = makeTempDir('picket-central-conf-');
    const central = await startCentral({
      ...defaultConfig(),
      listen: '127.0.0.1:0',
      data: path.join(dir, 'central'),
      acceptRanges: ['198.18.0.0/15'],
    });
    try {
      const login = 'c'.repeat(32) + 'conformance00000',
        password = 'p'.repeat(64);
      const reg = await fetch(`${central.url}/v2/watchers`, {
        method: 'POST',
        body: JSON.stringify({ machine_id: login, password }),
      });
      assert.equal(reg.status, 200, await reg.text());
      await addCurated(central.service.store, new AddressPolicy(), {
        value: LISTED,
        scenario: 'crowdsecurity/ssh-bf',
        durationMs: 24 * 3_600_000,
        now: Date.now(),
      });
      await central.service.applyOps();
      central.service.tick();

      const port = await freePort();
      const logFile = path.join(dir, 'auth.log');
      fs.writeFileSync(logFile, '');
      const cfg = writeCrowdsecConfig(path.join(dir, 'crowdsec'), {
        lapiPort: port,
        sshd: true,
        acquisFiles: [logFile],
      });
      const onlineFile = path.join(cfg.dir, 'etc', 'online_api_credentials.yaml');
      fs.writeFileSync(onlineFile, stringify({ url: `${central.url}/`, login, password }), { mode: 0o600 });
      const conf = parse(fs.readFileSync(cfg.configFile, 'utf8')) as { api: { server: Record<string, unknown> } };
      conf.api.server.online_client = { credentials_path: onlineFile };
      fs.writeFileSync(cfg.configFile, stringify(conf));
      await cscli(cfg, [
        'machines',
        'add',
        'conformance-agent',
        '--password',
        'agent-password-0123456789',
        '-f',
        cfg.credentialsFile,
        '--url',
        `http://127.0.0.1:${port}/`,
      ]);
      const cs = startProcess('crowdsec', 'crowdsec', ['-c', cfg.configFile], { cwd: cfg.dir, logDir: cfg.logDir });
      const context = (): string => `--- crowdsec log ---\n${cs.tail(30)}`;
      const wait = <T>(
        what: string,
        ms: number,
        check: () => T | undefined | false | Promise<T | undefined | false>,
      ): Promise<T> =>
        waitFor(what, ms, check).catch((err: Error) => {
          throw new Error(`${err.message}\n${context()}`);
        });
      const machine = () => central.service.machines.get(login);

      await wait('the LAPI to log in to Picket Central', 40_000, async () => (await machine())?.lastLogin ?? false);
      await wait('the LAPI to pull the community list', 60_000, async () => (await machine())?.lastPull ?? false);
      const capi = await wait('the CAPI decision in the LAPI', 30_000, async () => {
        const out = await cscli(cfg, ['decisions', 'list', '--origin', 'CAPI', '-o', 'json']).catch(() => 'null');
        const alerts = JSON.parse(out || 'null') as Array<{
          decisions: Array<{ value: string; origin: string; scenario: string }>;
        }> | null;
        return alerts?.flatMap((a) => a.decisions).find((d) => d.value === LISTED);
      });
      assert.equal(capi.origin, 'CAPI', context());
      const key = (await cscli(cfg, ['bouncers', 'add', 'conformance-bouncer', '-o', 'raw']))
        .trim()
        .split('\n')
        .pop()!
        .trim();
      const res = await fetch(`http://127.0.0.1:${port}/v1/decisions/stream?startup=true`, {
        headers: { 'X-Api-Key': key },
      });
      const stream = (await res.json()) as { new: Array<{ value: string; origin: string }> | null };
      assert.ok(
        stream.new?.some((d) => d.value === LISTED && d.origin === 'CAPI'),
        `a bouncer sees ${LISTED} with origin CAPI: ${JSON.stringify(stream)}`,
      );

      await wait('the metrics push (POST /v2/metrics/)', 30_000, async () => (await machine())?.metricsAt ?? false);
      let burst = 0;
      const started = Date.now();
      const rows = await wait('the ssh-bf signal (pushed every 30 s ± 15 s)', 90_000, async () => {
        await central.service.ingest.flush();
        const got = await central.service.store.signalsFor(ATTACKER);
        if (got.length) return got;
        if (burst * 8000 <= Date.now() - started) {
          burst++;
          fs.appendFileSync(
            logFile,
            Array.from(
              { length: 7 },
              (_, i) =>
                `${syslogTime(new Date())} conformance sshd[${1300 + burst * 10 + i}]: Failed password for root from ${ATTACKER} port ${50000 + i} ssh2\n`,
            ).join(''),
          );
        }
        return undefined;
      });
      assert.equal(rows[0]!.scenario, 'crowdsecurity/ssh-bf');
      assert.equal(rows[0]!.trust, 'certified', 'the hub index certifies the unmodified ssh-bf scenario');
      assert.equal(rows[0]!.reporter, (await machine())!.pseudonym);
    } finally {
      await stopAll();
      await central.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
