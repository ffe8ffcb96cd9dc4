// A recording reverse proxy put between a real CrowdSec client and the LAPI under test, so that a failing
// check can show the exact exchanges (method, path, status, bodies). Owns: forwarding on 127.0.0.1 and the
// in-memory exchange log. Bodies are recorded decoded (gzip) and truncated; API keys and tokens are redacted.

import http from 'node:http';
import zlib from 'node:zlib';

export interface Exchange {
  at: string;
  method: string;
  url: string;
  userAgent: string;
  status: number;
  requestBody: string;
  responseBody: string;
}

const MAX_BODY = 4000;

function clip(buf: Buffer, encoding: string | undefined): string {
  let b = buf;
  try {
    if (encoding === 'gzip' && b.length) b = zlib.gunzipSync(b);
  } catch {
    /* keep raw */
  }
  const s = b.toString('utf8');
  return (s.length > MAX_BODY ? `${s.slice(0, MAX_BODY)}…(${s.length} chars)` : s).replace(
    /"(password|token)":"[^"]*"/g,
    '"$1":"<redacted>"',
  );
}

export class RecordingProxy {
  readonly exchanges: Exchange[] = [];
  private server: http.Server | undefined;
  port = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    const agent = new http.Agent({ keepAlive: true });
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const up = http.request(
          { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers, agent },
          (ures) => {
            const out: Buffer[] = [];
            ures.on('data', (c: Buffer) => out.push(c));
            ures.on('end', () => {
              const rbody = Buffer.concat(out);
              this.exchanges.push({
                at: new Date().toISOString(),
                method: req.method ?? '',
                url: req.url ?? '',
                userAgent: String(req.headers['user-agent'] ?? ''),
                status: ures.statusCode ?? 0,
                requestBody: clip(body, req.headers['content-encoding'] as string | undefined),
                responseBody: clip(rbody, ures.headers['content-encoding'] as string | undefined),
              });
              res.writeHead(ures.statusCode ?? 502, ures.headers);
              res.end(rbody);
            });
          },
        );
        up.on('error', (err) => {
          this.exchanges.push({
            at: new Date().toISOString(),
            method: req.method ?? '',
            url: req.url ?? '',
            userAgent: String(req.headers['user-agent'] ?? ''),
            status: 0,
            requestBody: clip(body, undefined),
            responseBody: `proxy: upstream error ${err.message}`,
          });
          res.writeHead(502).end();
        });
        up.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this;
  }

  /** Exchanges whose `METHOD path` starts with `prefix` (e.g. `POST /v1/alerts`). */
  find(prefix: string): Exchange[] {
    return this.exchanges.filter((e) => `${e.method} ${e.url}`.startsWith(prefix));
  }

  /** The last `n` exchanges (optionally only those matching `prefix`), formatted for an assertion message. */
  dump(n = 12, prefix = ''): string {
    const list = (prefix ? this.find(prefix) : this.exchanges).slice(-n);
    if (!list.length) return `(no exchange${prefix ? ` for ${prefix}` : ''} recorded)`;
    return list
      .map(
        (e) =>
          `${e.at} ${e.method} ${e.url} [${e.userAgent}]${e.requestBody ? `\n  > ${e.requestBody}` : ''}\n  < ${e.status} ${e.responseBody}`,
      )
      .join('\n');
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
