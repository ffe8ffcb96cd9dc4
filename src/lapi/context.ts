// The per-request state handed to route handlers: the raw request/response, the split URL, the client IP,
// the request start time, the path parameter and who authenticated (bouncer or machine).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BouncerRecord } from '../store/records.js';

export class RequestContext {
  /** authenticated bouncer (API-key routes) */
  bouncer: BouncerRecord | null = null;
  /** authenticated machine id (JWT routes) */
  machineId: string | null = null;
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    /** query string without the `?` ('' when absent or empty) */
    readonly qs: string,
    /** URL-unescaped `:param` segment, '' for static routes */
    readonly param: string,
    /** client address (IPv4-mapped IPv6 shown as IPv4) */
    readonly ip: string,
    /** request start, epoch ms (the store's clock) */
    readonly now: number,
  ) {}
}

const IP = Symbol('picket.clientIp');
type TaggedSocket = IncomingMessage['socket'] & { [IP]?: string };

/** Socket address -> client IP text (`::ffff:a.b.c.d` becomes `a.b.c.d`), computed once per connection. */
export function clientIp(req: IncomingMessage): string {
  const sock = req.socket as TaggedSocket;
  let ip = sock[IP];
  if (ip === undefined) {
    const a = sock.remoteAddress ?? '';
    ip = a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
    sock[IP] = ip;
  }
  return ip;
}

/**
 * One request header by its lower-case name, read from `rawHeaders` (first occurrence). Used on the hot path
 * instead of `req.headers`, whose object node builds lazily on first access for all headers.
 */
export function rawHeader(req: IncomingMessage, lowerName: string): string | undefined {
  const raw = req.rawHeaders;
  const n = lowerName.length;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i];
    if (k.length === n && (k === lowerName || sameLowerCase(k, lowerName))) return raw[i + 1];
  }
  return undefined;
}

/** `k.toLowerCase() === lower` for a header name of the same length, without making the lower-case copy */
function sameLowerCase(k: string, lower: string): boolean {
  for (let i = 0; i < k.length; i++) {
    let c = k.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
