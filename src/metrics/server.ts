// HTTP endpoint for Prometheus: `GET /metrics` (and HEAD) serves a prom-client registry in the text
// exposition format; any other path or method gets 404 / 405. Owns: listen address parsing, the server.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type client from 'prom-client';

export interface ListenAddr {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[v6]:PORT`, or `off` (null). Throws on anything else. */
export function parseListenAddr(s: string): ListenAddr | null {
  if (s === 'off') return null;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`${s}: expected HOST:PORT (e.g. 127.0.0.1:6060) or off`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(reg: client.Registry, addr: ListenAddr): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    reg.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': reg.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${e.message}\n`);
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/metrics`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
