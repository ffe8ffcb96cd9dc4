// HTTP client of a central API speaking CrowdSec's CAPI v3 (capi.md §3, §4, §5, §6): register, login (token
// cached in memory), POST /v3/signals with the exact bytes given, POST /v3/metrics/, GET /v3/decisions/stream
// (bounded body). Owns: request shapes, timeouts and the mapping of answers to outcomes (ok / retry / relogin /
// refused) that the pushers act on.

import crypto from 'node:crypto';
import { errorMessage, PicketError } from '../core/errors.js';
import type { CapiCredentials } from './config.js';

const TIMEOUT_MS = 5_000;
const STREAM_TIMEOUT_MS = 120_000;
const UA = 'picket/capi';

export class CapiError extends PicketError {
  constructor(
    message: string,
    readonly status = 0,
  ) {
    super('CAPI_REQUEST', message);
  }
}

export type PushOutcome = 'ok' | 'retry' | 'relogin' | 'refused';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomAlnum(n: number): string {
  return [...crypto.randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

/** a new login (48 alphanumerics, §3.1) and password (64) */
export function newCredentials(url: string): CapiCredentials {
  return { url: url.replace(/\/+$/, ''), login: randomAlnum(48), password: randomAlnum(64) };
}

async function post(url: string, body: string, token?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': UA };
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { status: r.status, text: await r.text() };
  } catch (e) {
    return { status: 0, text: errorMessage(e) };
  }
}

/** bound of a decisions stream answer (100,000 entries are about 6 MB) */
export const STREAM_MAX_BYTES = 64 * 1024 * 1024;

async function getBounded(url: string, token: string, max: number): Promise<{ status: number; text: string }> {
  const headers = { 'User-Agent': UA, Authorization: `Bearer ${token}` };
  try {
    const r = await fetch(url, { headers, signal: AbortSignal.timeout(STREAM_TIMEOUT_MS) });
    if (!r.body) return { status: r.status, text: '' };
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const c of r.body) {
      size += c.length;
      if (size > max) {
        await r.body.cancel().catch(() => undefined);
        return { status: 0, text: `${url}: answer larger than ${max} bytes` };
      }
      chunks.push(c);
    }
    return { status: r.status, text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    return { status: 0, text: errorMessage(e) };
  }
}

export class CapiClient {
  private token = '';

  constructor(
    readonly creds: CapiCredentials,
    private readonly scenarios: () => string[] = () => [],
  ) {}

  url(p: string): string {
    return `${this.creds.url.replace(/\/+$/, '')}/v3/${p}`;
  }

  /** POST /v3/watchers; `token`: a private central's enrolment token (sent as `registration_token`) */
  async register(token = ''): Promise<void> {
    const body: Record<string, string> = { machine_id: this.creds.login, password: this.creds.password };
    if (token !== '') body.registration_token = token;
    const r = await post(this.url('watchers'), JSON.stringify(body));
    if (r.status !== 200)
      throw new CapiError(`${this.url('watchers')}: ${r.status || 'unreachable'} ${r.text}`, r.status);
  }

  async login(): Promise<{ token: string; expire: string }> {
    const body = JSON.stringify({
      machine_id: this.creds.login,
      password: this.creds.password,
      scenarios: this.scenarios(),
    });
    const r = await post(this.url('watchers/login'), body);
    if (r.status !== 200)
      throw new CapiError(`${this.url('watchers/login')}: ${r.status || 'unreachable'} ${r.text}`, r.status);
    const j = JSON.parse(r.text) as { token?: unknown; expire?: unknown };
    if (typeof j.token !== 'string')
      throw new CapiError(`${this.url('watchers/login')}: no token in the answer`, r.status);
    this.token = j.token;
    return { token: j.token, expire: String(j.expire ?? '') };
  }

  /** POST /v3/signals with `body` (a JSON array, sent byte for byte) */
  pushSignals(body: string): Promise<{ outcome: PushOutcome; status: number; text: string }> {
    return this.postAuthed('signals', body);
  }

  /** POST /v3/metrics/ (trailing slash, capi.md §6) with `body` */
  pushMetrics(body: string): Promise<{ outcome: PushOutcome; status: number; text: string }> {
    return this.postAuthed('metrics/', body);
  }

  /** an authenticated POST (logs in first when no token is cached); the answer mapped to an outcome */
  async postAuthed(p: string, body: string): Promise<{ outcome: PushOutcome; status: number; text: string }> {
    if (!this.token) {
      try {
        await this.login();
      } catch (e) {
        const st = e instanceof CapiError ? e.status : 0;
        return { outcome: 'retry', status: st, text: errorMessage(e) };
      }
    }
    const r = await post(this.url(p), body, this.token);
    if (r.status >= 200 && r.status < 300) return { outcome: 'ok', ...r };
    if (r.status === 401 || r.status === 403) {
      this.token = '';
      return { outcome: 'relogin', ...r };
    }
    if (r.status === 0 || r.status === 429 || r.status >= 500) return { outcome: 'retry', ...r };
    return { outcome: 'refused', ...r };
  }
  /**
   * GET /v3/decisions/stream?QUERY (capi.md §5.1) with the JWT (logging in first, and again once on 401/403); the
   * body is read up to `maxBytes`. Never throws: status 0 = unreachable or too large (the reason in `text`).
   */
  async pullStream(query: string, maxBytes = STREAM_MAX_BYTES): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      if (!this.token) {
        try {
          await this.login();
        } catch (e) {
          return { status: e instanceof CapiError ? e.status : 0, text: errorMessage(e) };
        }
      }
      const r = await getBounded(this.url(`decisions/stream${query}`), this.token, maxBytes);
      if ((r.status === 401 || r.status === 403) && attempt === 0) {
        this.token = '';
        continue;
      }
      return r;
    }
  }
}
