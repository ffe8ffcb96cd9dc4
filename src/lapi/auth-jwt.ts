// Watcher authentication by JWT (spec lapi.md §3.2): HS256 tokens with claims `id`, `exp`, `orig_iat`
// (Unix seconds), 1 h lifetime and 1 h refresh window, signed with CS_LAPI_SECRET (≥ 64 bytes) or a random
// per-start secret; `jose` signs and checks the signature. Owns: reading the token from `Authorization: Bearer`
// or the `jwt` cookie, the claims rules (expiry, refresh window) and the gin-jwt error texts clients see in
// `{"code":401,"message":…}` bodies (a malformed token is named before jose sees it, as gin-jwt names it).
// A token is bound to its machine's generation (its creation time): its signing key is derived from it, so a
// token of a deleted machine stays invalid when a machine with the same id is created again (claims unchanged).

import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { compactVerify, SignJWT } from 'jose';
import { PicketError } from '../core/errors.js';

export const TOKEN_LIFETIME_S = 3600;
export const REFRESH_WINDOW_S = 3600;

/** An unusable JWT signing secret (code LAPI_BAD_SECRET). */
export class LapiSecretError extends PicketError {
  constructor(message: string) {
    super('LAPI_BAD_SECRET', message);
  }
}

/** The signing secret: env CS_LAPI_SECRET (must be at least 64 bytes) or 64 random bytes. */
export function jwtSecretFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const s = env.CS_LAPI_SECRET;
  if (s === undefined || s === '') return crypto.randomBytes(64);
  const b = Buffer.from(s, 'utf8');
  if (b.length < 64)
    throw new LapiSecretError(`CS_LAPI_SECRET is ${b.length} bytes long: at least 64 bytes are required`);
  return b;
}

export interface JwtClaims {
  id: string;
  exp: number;
  orig_iat: number;
}
export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; message: string };

export class JwtAuth {
  constructor(private readonly secret: Buffer) {}

  /** A new token for `machineId` (of generation `gen`) issued at `nowMs`; the caller formats the expiry. */
  async sign(machineId: string, nowMs: number, gen = ''): Promise<{ token: string; exp: number }> {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + TOKEN_LIFETIME_S;
    // claim order as captured from CrowdSec: exp, id, orig_iat
    const token = await new SignJWT({ exp, id: machineId, orig_iat: iat })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(this.keyOf(gen));
    return { token, exp };
  }

  /** the signing key of a machine generation ('': the secret itself) */
  private keyOf(gen: string): Uint8Array {
    return gen === ''
      ? this.secret
      : crypto
          .createHmac('sha256', this.secret)
          .update('\0' + gen)
          .digest();
  }

  /** Token text of a request: Bearer header first, then the `jwt` cookie; null when neither is present. */
  static tokenOf(req: IncomingMessage): string | null {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m) return m[1];
    }
    const cookie = req.headers.cookie;
    if (cookie !== undefined) {
      for (const part of cookie.split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === 'jwt') {
          const v = part.slice(eq + 1).trim();
          if (v !== '') return v;
        }
      }
    }
    return null;
  }

  /**
   * Checks signature and claims. With `forRefresh`, an expired token is accepted while
   * `orig_iat + REFRESH_WINDOW_S` has not passed (GET /v1/refresh_token). `genOf`: the generation of a
   * machine id ('' when unknown).
   */
  async verify(
    token: string | null,
    nowMs: number,
    forRefresh = false,
    genOf: (id: string) => string = () => '',
  ): Promise<JwtCheck> {
    if (token === null) return { ok: false, message: 'cookie token is empty' };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, message: 'token contains an invalid number of segments' };
    const header = decodeSegment(parts[0]);
    if (typeof header === 'string') return { ok: false, message: header };
    if (header === null || typeof header !== 'object' || (header as { alg?: unknown }).alg !== 'HS256') {
      return { ok: false, message: 'signing method (alg) is unavailable.' };
    }
    const payload = decodeSegment(parts[1]);
    if (typeof payload === 'string') return { ok: false, message: payload };
    const claimedId = payload !== null && typeof payload === 'object' ? (payload as { id?: unknown }).id : undefined;
    try {
      await compactVerify(token, this.keyOf(typeof claimedId === 'string' ? genOf(claimedId) : ''), {
        algorithms: ['HS256'],
      });
    } catch {
      return { ok: false, message: 'signature is invalid' };
    }
    const c = payload as Partial<JwtClaims> | null;
    if (
      c === null ||
      typeof c !== 'object' ||
      typeof c.id !== 'string' ||
      typeof c.exp !== 'number' ||
      typeof c.orig_iat !== 'number'
    ) {
      return { ok: false, message: 'invalid token claims' };
    }
    const now = Math.floor(nowMs / 1000);
    if (forRefresh) {
      if (c.orig_iat + REFRESH_WINDOW_S < now) return { ok: false, message: 'token is expired' };
    } else if (c.exp <= now) {
      return { ok: false, message: 'token is expired' };
    }
    return { ok: true, claims: c as JwtClaims };
  }
}

/**
 * base64url JSON segment -> value, or a Go-like error text (e.g. `invalid character 'i' looking for beginning of
 * value`).
 */
function decodeSegment(seg: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(seg)) return 'illegal base64 data';
  const text = Buffer.from(seg, 'base64url').toString('latin1');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const first = text.trimStart()[0];
    return first === undefined
      ? 'unexpected end of JSON input'
      : `invalid character '${first}' looking for beginning of value`;
  }
}
