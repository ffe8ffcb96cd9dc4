// The Local API listener: a raw node:http (or node:https with the configured certificate) server on
// host:port (port 0 = any free port), keep-alive tuned for polling bouncers, and a shutdown that ends idle
// and in-flight connections. With a CA file, client certificates are requested but not required: the
// verification result (`socket.authorized`) is read by ./auth-tls.ts. Slow clients are cut: 10 s for the
// headers, 60 s for a whole request (unauthenticated bodies have a shorter deadline, ./body.ts).

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { PicketError, errorMessage, errorCode } from '../core/errors.js';
import { keepTickObjectShape } from '../core/tick-object.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA of client certificates: with it the server asks every client for a certificate (optional for them) */
  caFile?: string;
  /** client-certificate OUs authenticating bouncers / agents (./auth-tls.ts; need caFile) */
  bouncersAllowedOu?: string[];
  agentsAllowedOu?: string[];
}

/** a client has this long to send its headers (slowloris), and this long for a whole request */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 60_000;

export interface Listener {
  readonly url: string;
  close(): Promise<void>;
}

function readFile(path: string, what: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new PicketError('LAPI_TLS_FILE', `LAPI TLS ${what} ${path}: ${errorCode(e) ?? errorMessage(e)}`);
  }
}

export async function listen(
  handler: http.RequestListener,
  addr: { host: string; port: number },
  tls?: TlsFiles,
): Promise<Listener> {
  keepTickObjectShape(); // node's per-request nextTick objects stay on V8's fast path (src/core/tick-object.ts)
  // slow clients: the deadlines below are checked every second (node's default: every 30 s)
  const opts = { connectionsCheckingInterval: 1000 };
  const server: http.Server = tls
    ? https.createServer(
        {
          ...opts,
          cert: readFile(tls.certFile, 'certificate'),
          key: readFile(tls.keyFile, 'key'),
          ...(tls.caFile ? { ca: readFile(tls.caFile, 'CA'), requestCert: true, rejectUnauthorized: false } : {}),
        },
        handler,
      )
    : http.createServer(opts, handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new PicketError('LAPI_LISTEN', `LAPI cannot listen on ${addr.host}:${addr.port}: ${e.code ?? e.message}`)),
    );
    server.listen(addr.port, addr.host, () => resolve());
  });
  server.removeAllListeners('error');
  server.on('error', () => undefined);
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${a.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
