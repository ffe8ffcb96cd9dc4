// Fixtures of the notification tests: alerts in the LAPI wire shape, the fixture folder, a real HTTP receiver on
// 127.0.0.1 (port 0) that records requests and answers with a programmable status (or hangs), and a helper that
// loads a fixture notification with its placeholder URL replaced.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { parseNotificationFile, type NotificationConfig } from '../../src/notifications/index.js';

export const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../test/notifications/fixtures',
);

export function fixture(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
}

/** A fixture's first notification, with `replace` applied to its text first (placeholders -> real values). */
export function fixtureConfig(rel: string, replace: Record<string, string> = {}): NotificationConfig {
  let text = fixture(rel);
  for (const [k, v] of Object.entries(replace)) text = text.split(k).join(v);
  return parseNotificationFile(text, rel)[0]!;
}

export function alertJson(
  ip: string,
  o: { cn?: string; scenario?: string; machine?: string; id?: number } = {},
): Record<string, unknown> {
  return {
    capacity: 5,
    created_at: '2026-11-25T05:14:39Z',
    decisions: [
      {
        duration: '4h',
        id: 1,
        origin: 'crowdsec',
        scenario: o.scenario ?? 'crowdsecurity/ssh-bf',
        scope: 'Ip',
        simulated: false,
        type: 'ban',
        until: '2026-11-25T09:14:39Z',
        uuid: 'u-1',
        value: ip,
      },
    ],
    events: [
      {
        meta: [
          { key: 'target_user', value: 'root' },
          { key: 'service', value: 'ssh' },
        ],
        timestamp: '2026-11-25 05:14:30 +0000 UTC',
      },
    ],
    events_count: 6,
    id: o.id ?? 1,
    labels: null,
    leakspeed: '10s',
    machine_id: o.machine ?? 'web-1',
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 10s) at 2026-11-25 05:14:39 +0000 UTC`,
    meta: [{ key: 'target_user', value: '["root","admin"]' }],
    remediation: true,
    scenario: o.scenario ?? 'crowdsecurity/ssh-bf',
    scenario_hash: 'abc',
    scenario_version: '0.3',
    simulated: false,
    source: { cn: o.cn ?? 'FR', ip, latitude: 48.8582, longitude: 2.3387, scope: 'Ip', value: ip },
    start_at: '2026-11-25T05:14:29.123Z',
    stop_at: '2026-11-25T05:14:39Z',
    uuid: 'a-1',
  };
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** status of the next answers (default 200); 'hang' never answers */
  respond: Array<number | 'hang'>;
  /** resolves once `n` requests arrived */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: Array<() => void> = [];
  const hung: http.ServerResponse[] = [];
  const r = { requests, respond: [] as Array<number | 'hang'> } as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      for (const w of waiters.splice(0)) w();
      const status = r.respond.shift() ?? 200;
      if (status === 'hang') {
        hung.push(res);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'failure');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.waitFor = (n, ms = 20_000) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`receiver: ${requests.length} of ${n} request(s) after ${ms} ms`)),
        ms,
      );
      const check = () => {
        if (requests.length >= n) {
          clearTimeout(deadline);
          resolve(requests);
        } else waiters.push(check);
      };
      check();
    });
  r.close = async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((res) => server.close(() => res()));
  };
  return r;
}

export async function metricValue(
  registry: { getSingleMetricAsString(name: string): Promise<string> },
  name: string,
  labels: string,
): Promise<number> {
  const text = await registry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
