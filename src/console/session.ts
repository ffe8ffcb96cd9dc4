// Console sessions and their guards: random session ids held in memory (lost on restart: log in again),
// one CSRF token per session, the cookie's flags, the security headers and content security policy sent
// on every console response, and the login rate limit (failed attempts per client address per minute).

import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const COOKIE = 'picket_console';
const SESSION_MS = 8 * 3_600_000;
const LOGIN_WINDOW_MS = 60_000;
export const LOGIN_MAX_FAILURES = 5;

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface Session {
  id: string;
  user: string;
  csrf: string;
  expires: number;
}

export function securityHeaders(res: ServerResponse, tls: boolean): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  if (tls) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return v;
  }
  return undefined;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly failures = new Map<string, { n: number; since: number }>();

  constructor(
    private readonly now: () => number,
    private readonly tls: boolean,
  ) {}

  create(user: string): Session {
    const s = {
      id: crypto.randomBytes(32).toString('base64url'),
      user,
      csrf: crypto.randomBytes(32).toString('base64url'),
      expires: this.now() + SESSION_MS,
    };
    this.byId.set(s.id, s);
    return s;
  }

  cookie(s: Session | null): string {
    const flags = `; Path=/ui; HttpOnly; SameSite=Strict${this.tls ? '; Secure' : ''}`;
    return s === null ? `${COOKIE}=; Max-Age=0${flags}` : `${COOKIE}=${s.id}; Max-Age=${SESSION_MS / 1000}${flags}`;
  }

  of(req: IncomingMessage): Session | null {
    const id = cookieOf(req);
    const s = id === undefined ? undefined : this.byId.get(id);
    if (s === undefined) return null;
    if (s.expires <= this.now()) {
      this.byId.delete(s.id);
      return null;
    }
    return s;
  }

  end(s: Session): void {
    this.byId.delete(s.id);
  }

  /** an unsafe request must carry the session's token in X-CSRF-Token */
  csrfOk(req: IncomingMessage, s: Session): boolean {
    const got = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
    const want = Buffer.from(s.csrf);
    return got.length === want.length && crypto.timingSafeEqual(got, want);
  }

  /** false while `ip` has LOGIN_MAX_FAILURES failed logins in the current window */
  loginAllowed(ip: string): boolean {
    const f = this.failures.get(ip);
    if (f === undefined || this.now() - f.since > LOGIN_WINDOW_MS) return true;
    return f.n < LOGIN_MAX_FAILURES;
  }

  loginFailed(ip: string): void {
    const f = this.failures.get(ip);
    if (f === undefined || this.now() - f.since > LOGIN_WINDOW_MS) this.failures.set(ip, { n: 1, since: this.now() });
    else f.n++;
    if (this.failures.size > 10_000) this.failures.clear();
  }
}
