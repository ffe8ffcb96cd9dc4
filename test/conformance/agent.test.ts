// Conformance (c): CrowdSec 1.4.6's agent (`crowdsec -no-api`), with the hub's sshd parsers and ssh-bf scenario
// and credentials of a machine added to the LAPI under test, logs in, pushes the alert of an ssh brute force
// it reads in a log file, the LAPI turns it into a ban visible to a bouncer, and the agent's heartbeat is accepted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HUB, startCrowdsecAgent, writeCredentials, writeCrowdsecConfig } from './harness/crowdsec.js';
import { waitFor } from './harness/proc.js';
import { goDurationSeconds, skipReason, withLapi } from './harness/suite.js';

const ATTACKER = '198.18.0.67';
const hubMissing = fs.existsSync(path.join(HUB, 'scenarios', 'crowdsecurity', 'ssh-bf.yaml'))
  ? false
  : `hub snapshot ${HUB} has no ssh-bf scenario`;

/** syslog timestamp as sshd writes it: `Nov 30 08:05:01` (local time, day padded with a space). */
function syslogTime(d: Date): string {
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

test(
  'agent 1.4.6: logs in, its ssh-bf alert becomes a ban in the LAPI, heartbeat accepted',
  { skip: skipReason('crowdsec') || hubMissing },
  async () => {
    await withLapi(async (target, proxy) => {
      await target.addMachine('conformance-agent', 'agent-password-0123456789');
      const dir = path.join(target.dir, 'agent');
      const logFile = path.join(dir, 'auth.log');
      const cfg = writeCrowdsecConfig(dir, { sshd: true, acquisFiles: [logFile] });
      fs.writeFileSync(logFile, '');
      writeCredentials(cfg.credentialsFile, {
        url: proxy.url,
        login: 'conformance-agent',
        password: 'agent-password-0123456789',
      });
      const started = Date.now();
      const agent = startCrowdsecAgent(cfg);
      const context = (): string => `--- agent log ---\n${agent.tail(20)}\n--- exchanges ---\n${proxy.dump(10)}`;
      let exit: number | string | undefined;
      void agent.exited.then((c) => {
        exit = c;
      });
      const alive = (): void => {
        if (exit !== undefined) throw new Error(`agent exited (${exit})`);
      };
      const wait = <T>(what: string, ms: number, check: () => T | undefined | false): Promise<T> =>
        waitFor(what, ms, () => {
          alive();
          return check();
        }).catch((err: Error) => {
          throw new Error(`${err.message}\n${context()}`);
        });

      const logins = await wait(
        'the agent to log in',
        30_000,
        () => proxy.find('POST /v1/watchers/login').length > 0 && proxy.find('POST /v1/watchers/login'),
      );
      assert.ok(
        logins.every((e) => e.status === 200),
        context(),
      );
      assert.match(logins[0]!.requestBody, /"machine_id":"conformance-agent"/, context());
      assert.ok(
        proxy
          .find('POST /v1/watchers/login')
          .some((e) => /"scenarios":\["crowdsecurity\/ssh-bf"\]/.test(e.requestBody)),
        `one login sends the scenario list\n${context()}`,
      );
      await wait('the agent to start reading its log', 20_000, () =>
        /Starting processing data|tailing|Adding file/i.test(agent.tail(200)),
      );

      // Bursts of failed logins until an alert is pushed (the file tail may start after the first burst).
      let burst = 0;
      const alerts = await wait('an alert pushed by the agent', 45_000, () => {
        const pushed = proxy.find('POST /v1/alerts');
        if (pushed.length) return pushed;
        if (burst * 8000 <= Date.now() - started) {
          burst++;
          const lines = Array.from(
            { length: 7 },
            (_, i) =>
              `${syslogTime(new Date())} conformance sshd[${1300 + burst * 10 + i}]: Failed password for root from ${ATTACKER} port ${50000 + i} ssh2\n`,
          );
          fs.appendFileSync(logFile, lines.join(''));
        }
        return undefined;
      });
      assert.equal(alerts[0]!.status, 201, context());
      assert.match(alerts[0]!.requestBody, /"scenario":"crowdsecurity\/ssh-bf"/, context());
      assert.match(
        alerts[0]!.responseBody,
        /^\["?\d+"?\]$|^\["[^"]+"\]$/,
        `POST /v1/alerts answers the list of alert ids\n${context()}`,
      );

      const bouncerKey = await target.addBouncer('conformance-agent-check');
      const res = await fetch(`${target.url}v1/decisions?ip=${ATTACKER}`, { headers: { 'X-Api-Key': bouncerKey } });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const decisions = JSON.parse(body) as Array<{
        value: string;
        scope: string;
        type: string;
        origin: string;
        scenario: string;
        duration: string;
      }> | null;
      const ban = decisions?.find((d) => d.scenario === 'crowdsecurity/ssh-bf');
      assert.ok(ban, `a decision for ${ATTACKER} from ssh-bf: ${body}`);
      assert.deepEqual([ban.value, ban.scope, ban.type, ban.origin], [ATTACKER, 'Ip', 'ban', 'crowdsec'], body);
      const secs = goDurationSeconds(ban.duration);
      assert.ok(secs > 3.9 * 3600 && secs <= 4 * 3600, `the default profile bans for 4h: ${ban.duration}`);

      const heartbeat = await wait(
        'the agent heartbeat (sent every 60 s)',
        90_000 - (Date.now() - started),
        () => proxy.find('GET /v1/heartbeat')[0],
      );
      assert.equal(heartbeat.status, 200, context());
      assert.equal(exit, undefined, 'the agent is still running');
    });
  },
);
