// HTTP transport of the Local API clients: one undici `Pool` (keep-alive) per base URL origin (and TLS
// settings), shared by every client of this process for it and closed when the last one is closed; a base path prefix
// (`http://h:8080/prefix/`) is kept; query strings are percent-encoded as Go clients do. Responses are read
// whole; a non-2xx status becomes a `LapiError`, a transport failure a `LapiUnreachableError`.
// Owns: pools, request/response plumbing, query encoding.

import { Pool } from 'undici';
import { LapiError, LapiUnreachableError, errorMessageOf } from './errors.js';
import { errorMessage } from '../core/errors.js';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string>;
export type Query = Readonly<Record<string, QueryValue>>;

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PUT';
  /** path below the base URL, starting with `/` (e.g. `/v1/decisions/stream`) */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** JSON-serialised when not a string/Buffer */
  json?: unknown;
  /** statuses accepted besides 2xx */
  okStatuses?: readonly number[];
}

/** TLS settings of an https base URL (cscli's credentials `ca_cert_path` / `insecure_skip_verify`) */
export interface ClientTls {
  /** PEM of the CA (or the self-signed certificate) to trust, besides the system CAs */
  ca?: string | Buffer;
  /** false accepts any server certificate (testing only) */
  rejectUnauthorized?: boolean;
}

interface SharedPool {
  pool: Pool;
  users: number;
}
const pools = new Map<string, SharedPool>();

/** `k=v&k2=v2` with percent-encoding; arrays repeat the key; undefined/null values are left out. */
export function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  let s = '';
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v === undefined || v === null) continue;
    const values: ReadonlyArray<string> = Array.isArray(v) ? (v as ReadonlyArray<string>) : [String(v)];
    for (const one of values) s += (s ? '&' : '') + encodeURIComponent(k) + '=' + encodeURIComponent(one);
  }
  return s;
}

export class LapiHttp {
  readonly origin: string;
  readonly basePath: string;
  private readonly shared: SharedPool;
  private readonly poolKey: string;
  private closed = false;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
    tls?: ClientTls,
  ) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new LapiUnreachableError(baseUrl, 'not a URL (expected http://HOST:PORT/)');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new LapiUnreachableError(baseUrl, `unsupported scheme ${u.protocol}`);
    this.origin = u.origin;
    this.basePath = u.pathname.replace(/\/+$/, '');
    // clients with other TLS settings for the same origin get their own pool
    this.poolKey = tls
      ? `${this.origin} ${tls.rejectUnauthorized === false ? 'insecure' : ''} ${tls.ca ? String(tls.ca) : ''}`
      : this.origin;
    let sp = pools.get(this.poolKey);
    if (!sp) {
      const connect = tls ? { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized ?? true } : undefined;
      sp = {
        pool: new Pool(this.origin, { connections: 8, keepAliveTimeout: 30_000, pipelining: 1, connect }),
        users: 0,
      };
      pools.set(this.poolKey, sp);
    }
    sp.users++;
    this.shared = sp;
  }

  async request(spec: RequestSpec): Promise<HttpResponse> {
    if (this.closed) throw new LapiUnreachableError(this.baseUrl, 'client closed');
    const qs = encodeQuery(spec.query);
    const path = this.basePath + spec.path + (qs ? '?' + qs : '');
    const headers: Record<string, string> = { ...spec.headers };
    let body: string | Buffer | undefined;
    if (spec.json !== undefined) {
      body = typeof spec.json === 'string' || Buffer.isBuffer(spec.json) ? spec.json : JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    }
    let res;
    try {
      res = await this.shared.pool.request({
        method: spec.method,
        path,
        headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new LapiUnreachableError(
        this.origin + this.basePath,
        err.code ? `${err.code} ${err.message}` : err.message,
      );
    }
    let buf: Buffer;
    try {
      buf = Buffer.from(await res.body.arrayBuffer());
    } catch (e) {
      throw new LapiUnreachableError(
        this.origin + this.basePath,
        `reading the response of ${spec.method} ${spec.path}: ${errorMessage(e)}`,
      );
    }
    const ct = res.headers['content-type'];
    const contentType = Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? '');
    const status = res.statusCode;
    if ((status < 200 || status > 299) && !spec.okStatuses?.includes(status)) {
      throw new LapiError(status, errorMessageOf(buf.toString('utf8')), spec.method, spec.path);
    }
    return { status, contentType, body: buf };
  }

  /** parses a JSON response body; a body that is not JSON is an error naming the route */
  static json<T>(r: HttpResponse, what: string): T {
    const text = r.body.toString('utf8');
    if (text.trim() === '') return null as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new LapiError(r.status, `response of ${what} is not JSON: ${errorMessage(e)}`, 'GET', what);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (--this.shared.users === 0) {
      pools.delete(this.poolKey);
      await this.shared.pool.close();
    }
  }
}
