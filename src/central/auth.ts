// Login tokens of Picket Central (capi.md §3.2): HS256 JWTs made with `jose`, claims `id` (the login), `exp`,
// `orig_iat` as CrowdSec's LAPI issues them, lifetime 1 h (clients re-login a minute before `expire` or on 401),
// signed with the key of the data folder's secret file so they survive restarts. Verified tokens are cached
// until they expire (a pull or push does not pay for a signature check each time).

import type { IncomingMessage } from 'node:http';
import { SignJWT, jwtVerify } from 'jose';
import { errorMessage } from '../core/errors.js';
import { formatRfc3339 } from '../api/wire-time.js';

export const TOKEN_LIFETIME_S = 3600;
const CACHE_MAX = 50_000;

export type TokenCheck = { ok: true; login: string } | { ok: false; message: string };

export class TokenAuth {
  private readonly cache = new Map<string, { login: string; exp: number }>();

  constructor(private readonly key: Uint8Array) {}

  async issue(login: string, now: number): Promise<{ code: 200; expire: string; token: string }> {
    const iat = Math.floor(now / 1000);
    const exp = iat + TOKEN_LIFETIME_S;
    const token = await new SignJWT({ id: login, orig_iat: iat })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(exp)
      .sign(this.key);
    return { code: 200, expire: formatRfc3339(exp * 1000), token };
  }

  async check(req: IncomingMessage, now: number): Promise<TokenCheck> {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ')) return { ok: false, message: 'auth header is empty' };
    const token = h.slice(7).trim();
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.exp * 1000 > now) return { ok: true, login: hit.login };
      this.cache.delete(token);
      return { ok: false, message: 'Token is expired' };
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(now) });
      if (typeof payload.id !== 'string' || typeof payload.exp !== 'number')
        return { ok: false, message: 'invalid token claims' };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(token, { login: payload.id, exp: payload.exp });
      return { ok: true, login: payload.id };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  /** forget tokens of a deleted login */
  forget(login: string): void {
    for (const [t, v] of this.cache) if (v.login === login) this.cache.delete(t);
  }
}
