// A scripted central API on 127.0.0.1 for the puller tests (login + GET /v3/decisions/stream answering the
// bodies the test queues, recording the queries), a CommunityPuller on a test site against it, and `new` groups.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapiClient } from '../../src/capi/client.js';
import { defaultOnlineClient, type OnlineClientConfig } from '../../src/capi/config.js';
import { CommunityPuller } from '../../src/capi/puller.js';
import type { Site } from './lists-helpers.js';

export interface Central {
  url: string;
  queue: string[];
  queries: string[];
  close(): Promise<void>;
}

export async function startCentral(): Promise<Central> {
  const queue: string[] = [];
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    const [p, q] = (req.url ?? '').split('?');
    req.resume();
    if (req.method === 'POST' && p === '/v3/watchers/login') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 200, token: 'tok', expire: new Date(Date.now() + 3_600_000).toISOString() }));
      return;
    }
    if (req.method === 'GET' && p === '/v3/decisions/stream') {
      if (req.headers.authorization !== 'Bearer tok') return void res.writeHead(401).end();
      queries.push(q ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(queue.shift() ?? '{"new":[],"deleted":[]}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queue,
    queries,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function puller(site: Site, c: Central, config: Partial<OnlineClientConfig['pull']> = {}): CommunityPuller {
  const oc = defaultOnlineClient('/dev/null');
  oc.pull = { ...oc.pull, intervalMs: 60_000, ...config };
  const client = new CapiClient({ url: c.url, login: 'site-b', password: 'pw' });
  return new CommunityPuller(client, site.target, site.lists, site.env, oc);
}

export const news = (scenario: string, items: [string, string][], scope = 'ip') => ({
  scenario,
  scope,
  decisions: items.map(([value, duration]) => ({ value, duration })),
});
