// TLS client-certificate authentication (spec lapi.md §3.1, §3.2): when the listener has a CA file, a
// connection whose client certificate verified against it (`socket.authorized`) and whose subject OU is in
// `bouncersAllowedOu` is the bouncer `<CN>@<client-ip>`, one with an OU in `agentsAllowedOu` the machine
// `<CN>@<client-ip>`; both are auto-created (auth type `tls`). The identity is read once per connection and
// kept on the socket. A TLS bouncer's record is cached like an API-key bouncer's (RECHECK_MS); its
// `apiKeyHash` is a marker (`tls:<name>`) that no SHA-512 hex digest can equal. Anything else (no
// certificate, unverified, OU in neither list) yields null: the caller falls back to the key/password checks.
// Not done: CRL / OCSP revocation checks.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { BouncerRecord, LapiStore } from '../store/records.js';
import { RECHECK_MS, type ApiKeyAuth } from './auth-apikey.js';

export interface TlsClientAuthOptions {
  /** subject OUs of bouncer certificates (CrowdSec `api.server.tls.bouncers_allowed_ou`) */
  bouncersAllowedOu?: string[];
  /** subject OUs of agent certificates (CrowdSec `api.server.tls.agents_allowed_ou`) */
  agentsAllowedOu?: string[];
}

export interface TlsIdentity {
  kind: 'bouncer' | 'agent';
  cn: string;
}

/** the apiKeyHash of a TLS bouncer: contains ':', so no API key's SHA-512 hex matches it */
export function tlsKeyMarker(name: string): string {
  return 'tls:' + name;
}

const IDENTITY = Symbol('picket.tlsIdentity');
const BOUNCER = Symbol('picket.tlsBouncer');
interface CachedBouncer {
  rec: BouncerRecord;
  checkedAt: number;
  gen: number;
}
type TaggedSocket = TLSSocket & { [IDENTITY]?: TlsIdentity | null; [BOUNCER]?: CachedBouncer };

/** first value of a certificate subject field (node gives a string, or an array for repeated fields) */
function firstOf(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
function anyOf(v: string | string[] | undefined, allowed: ReadonlySet<string>): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return allowed.has(v);
  for (const x of v) if (allowed.has(x)) return true;
  return false;
}

export class TlsClientAuth {
  private readonly bouncerOus: ReadonlySet<string>;
  private readonly agentOus: ReadonlySet<string>;

  constructor(
    private readonly store: LapiStore,
    private readonly apiKeys: ApiKeyAuth,
    opts: TlsClientAuthOptions,
    private readonly log: (line: string) => void,
  ) {
    this.bouncerOus = new Set(opts.bouncersAllowedOu ?? []);
    this.agentOus = new Set(opts.agentsAllowedOu ?? []);
  }

  /** who the connection's verified client certificate names, or null (computed once per connection) */
  identify(req: IncomingMessage): TlsIdentity | null {
    const sock = req.socket as TaggedSocket;
    let id = sock[IDENTITY];
    if (id === undefined) sock[IDENTITY] = id = this.readIdentity(sock);
    return id;
  }

  private readIdentity(sock: TLSSocket): TlsIdentity | null {
    if (typeof sock.getPeerCertificate !== 'function' || sock.authorized !== true) return null;
    const cert = sock.getPeerCertificate();
    const subject = cert?.subject as { OU?: string | string[]; CN?: string | string[] } | undefined;
    if (subject === undefined) return null;
    const cn = firstOf(subject.CN);
    if (cn === '') return null;
    if (anyOf(subject.OU, this.bouncerOus)) return { kind: 'bouncer', cn };
    if (anyOf(subject.OU, this.agentOus)) return { kind: 'agent', cn };
    return null;
  }

  /**
   * The bouncer `<CN>@<ip>` of a bouncer certificate (created when unknown), or null: no such certificate,
   * revoked, or the name belongs to an API-key bouncer. With `bookkeeping` the User-Agent is recorded.
   */
  bouncer(
    req: IncomingMessage,
    ip: string,
    userAgent: string | undefined,
    bookkeeping: boolean,
    now: number,
  ): BouncerRecord | null {
    const id = this.identify(req);
    if (id === null || id.kind !== 'bouncer') return null;
    const sock = req.socket as TaggedSocket;
    const gen = (this.store as { bouncerWrites?: number }).bouncerWrites ?? 0;
    const t = performance.now();
    const c = sock[BOUNCER];
    let b: BouncerRecord | undefined;
    if (c !== undefined && c.gen === gen && t - c.checkedAt < RECHECK_MS) b = c.rec;
    else {
      const name = `${id.cn}@${ip}`;
      b = this.store.getBouncerByName(name);
      if (b === undefined) {
        b = {
          name,
          apiKeyHash: tlsKeyMarker(name),
          revoked: false,
          ipAddress: ip,
          type: '',
          version: '',
          authType: 'tls',
          autoCreated: true,
          createdAt: now,
          updatedAt: now,
          lastPull: null,
        };
        this.log(`TLS client certificate CN=${id.cn} from ${ip}: creating bouncer ${name}`);
        this.apiKeys.create(b);
      }
      sock[BOUNCER] = { rec: b, checkedAt: t, gen };
    }
    if (b.revoked || b.authType !== 'tls') return null;
    if (bookkeeping) this.apiKeys.recordClient(b, ip, userAgent, now);
    return b;
  }

  /** the machine id `<CN>@<ip>` of an agent certificate, or null */
  agentId(req: IncomingMessage, ip: string): string | null {
    const id = this.identify(req);
    return id !== null && id.kind === 'agent' ? `${id.cn}@${ip}` : null;
  }
}
