// The request handler of the Local API: splits the URL, routes (404/405 with empty bodies), counts the
// request, authenticates (API key or TLS client certificate 403 / JWT 401 bodies of spec lapi.md §3), runs
// the route and turns its errors into CrowdSec's status codes (body errors 400, filter/validation/profile
// errors 500). Latency goes to cs_lapi_request_duration_seconds. Written for the hot path: no closure or promise
// for synchronous routes (bouncer routes authenticate synchronously; JWT routes wait for jose's check).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LapiApp } from './app.js';
import type { Router, RouteHandler } from './router.js';
import type { RouteMetrics } from './metrics.js';
import { RequestContext, clientIp, rawHeader } from './context.js';
import { JwtAuth } from './auth-jwt.js';
import type { TlsClientAuth } from './auth-tls.js';
import { BodyError } from './body.js';
import { FilterError } from './query.js';
import { AlertBodyError } from './validate.js';
import { ProfileError } from '../profiles/index.js';
import { sendEmpty, sendForbidden, sendJwtError, sendMessage } from './reply.js';

/** `ui`: the web console, given every /ui and /ui/* request that no LAPI route matches (null: none) */
export type UiMount = { handle(req: IncomingMessage, res: ServerResponse): void };

/** a route's or an authenticator's error as CrowdSec's status code (headers already sent: the socket is closed) */
function fail(app: LapiApp, ctx: RequestContext, e: unknown): void {
  const res = ctx.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof BodyError) sendMessage(res, e.status, e.message);
  else if (e instanceof AlertBodyError) sendMessage(res, e.status, e.message);
  else if (e instanceof FilterError || e instanceof ProfileError) sendMessage(res, 500, e.message);
  else {
    const msg = e instanceof Error ? e.message : String(e);
    app.log(`${ctx.method} ${ctx.req.url}: internal error: ${e instanceof Error && e.stack ? e.stack : msg}`);
    sendMessage(res, 500, msg);
  }
}

/** the request's latency into cs_lapi_request_duration_seconds */
function observe(rm: RouteMetrics, t0: number): void {
  rm.duration.observe((performance.now() - t0) / 1000);
}

/** §3.3: X-Api-Key, else Authorization, else a crowdsec/ UA (TLS agent), else API key (TLS bouncer) */
function isMachineRequest(req: IncomingMessage): boolean {
  const hd = req.headers;
  return (
    hd['x-api-key'] === undefined &&
    (hd.authorization !== undefined || (hd['user-agent'] ?? '').startsWith('crowdsec/'))
  );
}

/** `tls`: client-certificate bouncers on API-key routes when no X-Api-Key is sent (null: no CA configured) */
export function createDispatcher(
  app: LapiApp,
  router: Router,
  tls: TlsClientAuth | null = null,
  ui: UiMount | null = null,
): (req: IncomingMessage, res: ServerResponse) => void {
  const metrics = app.metrics;

  function authBouncer(ctx: RequestContext, h: RouteHandler, rm: RouteMetrics): boolean {
    const req = ctx.req;
    const key = rawHeader(req, 'x-api-key');
    const b =
      key === undefined && tls !== null
        ? tls.bouncer(req, ctx.ip, rawHeader(req, 'user-agent'), ctx.method !== 'HEAD', ctx.now)
        : app.apiKeys.authenticate(key, ctx.ip, rawHeader(req, 'user-agent'), ctx.method !== 'HEAD', ctx.now);
    if (b === null) {
      sendForbidden(ctx.res);
      return false;
    }
    ctx.bouncer = b;
    metrics.bouncerRequest(rm, h.route, h.method, b.name);
    return true;
  }

  async function authMachine(ctx: RequestContext, h: RouteHandler, rm: RouteMetrics): Promise<boolean> {
    const check = await app.jwt.verify(JwtAuth.tokenOf(ctx.req), ctx.now, false, app.machineGen);
    if (!check.ok) {
      sendJwtError(ctx.res, check.message);
      return false;
    }
    const id = check.claims.id;
    if (app.store.getMachine(id) === undefined) {
      sendJwtError(ctx.res, 'ent: machine not found');
      return false;
    }
    ctx.machineId = id;
    metrics.machineRequest(rm, h.route, h.method, id);
    return true;
  }

  /** runs the route once authenticated; its latency is observed when it settles */
  function run(ctx: RequestContext, h: RouteHandler, rm: RouteMetrics, t0: number): void {
    try {
      const r = h.handle(ctx);
      if (r === undefined) {
        observe(rm, t0);
        return;
      }
      r.then(
        () => {
          observe(rm, t0);
        },
        (e: unknown) => {
          fail(app, ctx, e);
          observe(rm, t0);
        },
      );
    } catch (e) {
      fail(app, ctx, e);
      observe(rm, t0);
    }
  }

  /** JWT routes: the signature check (jose) is asynchronous, the route runs after it */
  function runAsMachine(ctx: RequestContext, h: RouteHandler, rm: RouteMetrics, t0: number): void {
    authMachine(ctx, h, rm).then(
      (ok) => {
        if (ok) run(ctx, h, rm, t0);
        else observe(rm, t0);
      },
      (e: unknown) => {
        fail(app, ctx, e);
        observe(rm, t0);
      },
    );
  }

  /** API-key (or TLS bouncer) routes: synchronous check, then the route */
  function runAsBouncer(ctx: RequestContext, h: RouteHandler, rm: RouteMetrics, t0: number): void {
    try {
      if (!authBouncer(ctx, h, rm)) {
        observe(rm, t0);
        return;
      }
    } catch (e) {
      fail(app, ctx, e);
      observe(rm, t0);
      return;
    }
    run(ctx, h, rm, t0);
  }

  return function dispatch(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi === -1 ? url : url.slice(0, qi);
    const method = req.method ?? 'GET';
    const m = router.match(method, path);
    if ('status' in m) {
      if (ui !== null && (path === '/ui' || path.startsWith('/ui/'))) {
        ui.handle(req, res);
        return;
      }
      metrics.invalidEndpoint(method);
      sendEmpty(res, m.status);
      return;
    }
    const h = m.handler;
    const rm = (h.metrics ??= metrics.routeMetrics(h.route, method));
    rm.requests.n++;
    const query = qi === -1 ? '' : url.slice(qi + 1);
    const ctx = new RequestContext(req, res, method, query, m.param, clientIp(req), app.now());
    switch (h.auth) {
      case 'jwt':
        runAsMachine(ctx, h, rm, t0);
        break;
      case 'apikey':
        runAsBouncer(ctx, h, rm, t0);
        break;
      case 'either':
        if (isMachineRequest(req)) runAsMachine(ctx, h, rm, t0);
        else runAsBouncer(ctx, h, rm, t0);
        break;
      default:
        run(ctx, h, rm, t0);
    }
  };
}
