// Watcher (machine) client of the Local API: logs in with machine_id/password (User-Agent
// `picket/<version>`, which the LAPI requires to be `name/version`), keeps the JWT and renews it one
// minute before `expire` and after a 401/403 (the request is retried once with a fresh token), and wraps the
// watcher routes: push alerts, heartbeat, list/get/delete alerts, delete decisions, check allowlists.
// Owns: the token life cycle and the watcher routes' calls.

import { LapiHttp, type ClientTls, type Query, type RequestSpec, type HttpResponse } from './http.js';
import { LapiError, LapiResponseError } from './errors.js';
import { CLIENT_USER_AGENT } from './version.js';
import {
  alertQueryParams,
  decisionDeleteParams,
  type AlertInput,
  type AlertQuery,
  type AlertResponse,
  type DecisionDeleteQuery,
} from './alerts.js';

export interface WatcherClientOptions {
  url: string;
  machineId: string;
  password: string;
  /** scenario list sent at login (the agent's installed scenarios; cscli sends null) */
  scenarios?: string[] | null;
  userAgent?: string;
  timeoutMs?: number;
  /** https: CA to trust / skip verification */
  tls?: ClientTls;
}

export interface LoginResult {
  token: string;
  expire: string;
}

/** renew the token this long before it expires */
const RENEW_BEFORE_MS = 60_000;

function nbDeleted(body: unknown, what: string): number {
  const v = (body as { nbDeleted?: unknown } | null)?.nbDeleted;
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw new LapiResponseError(`${what}: response has no nbDeleted count`);
  return n;
}

export class WatcherClient {
  private readonly http: LapiHttp;
  private readonly ua: string;
  private token: string | null = null;
  private renewAt = 0;
  private loggingIn: Promise<void> | null = null;
  private scenarios: string[] | null;
  /** number of successful logins (a test and `lapi status` can see renewals) */
  logins = 0;

  constructor(private readonly o: WatcherClientOptions) {
    this.http = new LapiHttp(o.url, o.timeoutMs, o.tls);
    this.ua = o.userAgent ?? CLIENT_USER_AGENT;
    this.scenarios = o.scenarios ?? null;
  }

  get url(): string {
    return this.o.url;
  }

  /** the scenario list sent at the next login (an agent knows it once its content is loaded) */
  setScenarios(list: string[] | null): void {
    this.scenarios = list;
  }
  get machineId(): string {
    return this.o.machineId;
  }

  /** `POST /v1/watchers/login`; keeps the token */
  async login(): Promise<LoginResult> {
    const r = await this.http.request({
      method: 'POST',
      path: '/v1/watchers/login',
      headers: { 'user-agent': this.ua },
      json: { machine_id: this.o.machineId, password: this.o.password, scenarios: this.scenarios },
    });
    const body = LapiHttp.json<{ token?: unknown; expire?: unknown } | null>(r, '/v1/watchers/login');
    if (!body || typeof body.token !== 'string')
      throw new LapiError(r.status, 'login response has no token', 'POST', '/v1/watchers/login');
    const expire = typeof body.expire === 'string' ? body.expire : '';
    const exp = Date.parse(expire);
    this.token = body.token;
    // unknown expiry: renew after 10 minutes to be safe
    this.renewAt = Number.isFinite(exp) ? exp - RENEW_BEFORE_MS : Date.now() + 600_000;
    this.logins++;
    return { token: body.token, expire };
  }

  private async ensureToken(): Promise<void> {
    if (this.token !== null && Date.now() < this.renewAt) return;
    if (!this.loggingIn)
      this.loggingIn = this.login()
        .then(() => undefined)
        .finally(() => {
          this.loggingIn = null;
        });
    await this.loggingIn;
  }

  /** an authenticated request; on 401/403 the token is dropped, a new one obtained and the request sent once more */
  private async authed(spec: RequestSpec): Promise<HttpResponse> {
    await this.ensureToken();
    const send = () =>
      this.http.request({
        ...spec,
        headers: { ...spec.headers, 'user-agent': this.ua, authorization: `Bearer ${this.token}` },
      });
    try {
      return await send();
    } catch (e) {
      if (!(e instanceof LapiError) || (e.status !== 401 && e.status !== 403)) throw e;
      // a 403 that is not about the token (e.g. untrusted IP on DELETE /v1/alerts) fails again after re-login
      this.token = null;
      await this.ensureToken();
      return send();
    }
  }

  /** `POST /v1/alerts`; returns the new alert ids (strings, as the LAPI writes them) */
  async pushAlerts(alerts: ReadonlyArray<AlertInput>): Promise<string[]> {
    const r = await this.authed({ method: 'POST', path: '/v1/alerts', json: alerts });
    const ids = LapiHttp.json<unknown>(r, '/v1/alerts');
    if (ids === null) return [];
    if (!Array.isArray(ids)) throw new LapiResponseError('POST /v1/alerts: expected a list of ids');
    return ids.map(String);
  }

  /** `GET /v1/heartbeat` */
  async heartbeat(): Promise<void> {
    await this.authed({ method: 'GET', path: '/v1/heartbeat' });
  }

  /** `GET /v1/alerts`; `null` (no match) is `[]` */
  async listAlerts(q: AlertQuery = {}): Promise<AlertResponse[]> {
    const r = await this.authed({ method: 'GET', path: '/v1/alerts', query: alertQueryParams(q) });
    const list = LapiHttp.json<AlertResponse[] | null>(r, '/v1/alerts');
    if (list === null) return [];
    if (!Array.isArray(list)) throw new LapiResponseError('GET /v1/alerts: expected a list of alerts');
    return list;
  }

  /** `GET /v1/alerts/:id` (LapiError 404 when unknown) */
  async getAlert(id: number | string): Promise<AlertResponse> {
    const r = await this.authed({ method: 'GET', path: `/v1/alerts/${encodeURIComponent(String(id))}` });
    return LapiHttp.json<AlertResponse>(r, '/v1/alerts/:alert_id');
  }

  /** `DELETE /v1/alerts` (hard delete, cascade); returns the count */
  async deleteAlerts(q: AlertQuery = {}): Promise<number> {
    const r = await this.authed({ method: 'DELETE', path: '/v1/alerts', query: alertQueryParams(q) });
    return nbDeleted(LapiHttp.json<unknown>(r, '/v1/alerts'), 'DELETE /v1/alerts');
  }

  async deleteAlert(id: number | string): Promise<number> {
    const r = await this.authed({ method: 'DELETE', path: `/v1/alerts/${encodeURIComponent(String(id))}` });
    return nbDeleted(LapiHttp.json<unknown>(r, '/v1/alerts/:alert_id'), 'DELETE /v1/alerts/:alert_id');
  }

  /** `DELETE /v1/decisions` (soft delete: matching active decisions expire now); no filter = every active one */
  async deleteDecisions(q: DecisionDeleteQuery = {}): Promise<number> {
    const query: Query = decisionDeleteParams(q);
    const r = await this.authed({ method: 'DELETE', path: '/v1/decisions', query });
    return nbDeleted(LapiHttp.json<unknown>(r, '/v1/decisions'), 'DELETE /v1/decisions');
  }

  async deleteDecision(id: number | string): Promise<number> {
    const r = await this.authed({ method: 'DELETE', path: `/v1/decisions/${encodeURIComponent(String(id))}` });
    return nbDeleted(LapiHttp.json<unknown>(r, '/v1/decisions/:decision_id'), 'DELETE /v1/decisions/:decision_id');
  }

  /**
   * `POST /v1/allowlists/check` (CrowdSec 1.6+): the targets that an allowlist holds, with the lists' names.
   * A LAPI without allowlists (CrowdSec before 1.6: 404) has none: an empty map.
   */
  async allowlisted(targets: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (targets.length === 0) return out;
    const r = await this.authed({ method: 'POST', path: '/v1/allowlists/check', json: { targets }, okStatuses: [404] });
    if (r.status === 404) return out;
    const body = LapiHttp.json<{ results?: { target?: unknown; allowlists?: unknown }[] } | null>(
      r,
      '/v1/allowlists/check',
    );
    for (const res of body?.results ?? []) {
      if (typeof res.target === 'string' && Array.isArray(res.allowlists))
        out.set(res.target, res.allowlists.map(String));
    }
    return out;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
