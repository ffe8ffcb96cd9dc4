// What registering costs (issue 12, crowd.md §4 "Sybil"): POST /watchers is limited per source network (/24 or
// /48) and per AS over a sliding hour (429 with Retry-After beyond it), and, for private federations, needs the
// enrolment token of `registration.token`: sent as the body field `registration_token` (the field name of
// CrowdSec's LAPI registration), the `X-Registration-Token` header or `?token=`. CrowdSec's own LAPI cannot send
// it: such sites are pre-registered with `picket central machines add`.

import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const HOUR_MS = 3_600_000;

export type Admission = { ok: true } | { ok: false; status: 401 | 429; message: string; retryAfterS?: number };

export class RegistrationGate {
  private readonly byNetwork = new Map<string, number[]>();
  private readonly byAs = new Map<number, number[]>();

  constructor(private readonly o: { token: string; perNetwork: number; perAs: number }) {}

  private static recent(list: number[] | undefined, now: number): number[] {
    return (list ?? []).filter((t) => t > now - HOUR_MS);
  }

  tokenOf(req: IncomingMessage, body: Record<string, unknown>, query: URLSearchParams): string {
    const b = body.registration_token;
    if (typeof b === 'string') return b;
    const h = req.headers['x-registration-token'];
    if (typeof h === 'string') return h;
    return query.get('token') ?? '';
  }

  /** checks the token and the rate limits; on success the registration is counted */
  admit(token: string, network: string, asn: number, now: number): Admission {
    if (this.o.token !== '') {
      const a = Buffer.from(token),
        b = Buffer.from(this.o.token);
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        return {
          ok: false,
          status: 401,
          message: token === '' ? 'registration token required' : 'invalid registration token',
        };
      }
    }
    const net = RegistrationGate.recent(this.byNetwork.get(network), now);
    const as = asn > 0 ? RegistrationGate.recent(this.byAs.get(asn), now) : [];
    const over = (list: number[], limit: number): number | null =>
      list.length >= limit ? Math.max(1, Math.ceil((list[0]! + HOUR_MS - now) / 1000)) : null;
    const wait = over(net, this.o.perNetwork) ?? (asn > 0 ? over(as, this.o.perAs) : null);
    if (wait !== null) {
      const what = over(net, this.o.perNetwork) !== null ? `network ${network || '(unknown)'}` : `AS${asn}`;
      return { ok: false, status: 429, message: `too many registrations from ${what}, retry later`, retryAfterS: wait };
    }
    net.push(now);
    this.byNetwork.set(network, net);
    if (asn > 0) {
      as.push(now);
      this.byAs.set(asn, as);
    }
    if (this.byNetwork.size > 100_000) this.byNetwork.clear();
    if (this.byAs.size > 100_000) this.byAs.clear();
    return { ok: true };
  }
}
