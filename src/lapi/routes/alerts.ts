// Alert routes (spec lapi.md §6.6-§6.9): POST /v1/alerts (validation, profiles, ids as strings, 201),
// GET/HEAD /v1/alerts with every filter (`null` when empty), GET/HEAD /v1/alerts/:alert_id, and the
// trusted-IP-only hard deletions DELETE /v1/alerts and /v1/alerts/:alert_id.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { AlertRecord, DecisionRecord } from '../../store/records.js';
import { AUTH_BODY_LIMIT, readJsonBody } from '../body.js';
import { sendEmpty, sendJson, sendMessage } from '../reply.js';
import { alertQuery, parseQuery } from '../query.js';
import { validateAlerts } from '../validate.js';
import { alertToJSON } from '../alert-model.js';

function decisionsOf(app: LapiApp, a: AlertRecord): DecisionRecord[] {
  const out: DecisionRecord[] = [];
  for (const id of a.decisionIds) {
    const d = app.store.getDecision(id);
    if (d !== undefined) out.push(d);
  }
  return out;
}

function alertJSON(app: LapiApp, a: AlertRecord, withDecisions: boolean, now: number): Record<string, unknown> {
  return alertToJSON(a, withDecisions ? decisionsOf(app, a) : null, now);
}

/** `alert_id` path parameter -> integer, or null after answering 400. */
function alertId(ctx: RequestContext): number | null {
  if (!/^-?\d{1,15}$/.test(ctx.param)) {
    sendMessage(ctx.res, 400, 'alert_id must be valid integer');
    return null;
  }
  return Number(ctx.param);
}

function trusted(app: LapiApp, ctx: RequestContext): boolean {
  if (app.isTrusted(ctx.ip)) return true;
  sendMessage(ctx.res, 403, `access forbidden from this IP (${ctx.ip})`);
  return false;
}

export function registerAlertRoutes(router: Router, app: LapiApp): void {
  router.add('POST', '/v1/alerts', 'jwt', async (ctx) => {
    const alerts = validateAlerts(await readJsonBody(ctx.req, AUTH_BODY_LIMIT));
    const ids = await app.ingest(alerts, ctx.machineId!, ctx.now);
    sendJson(ctx.res, 201, JSON.stringify(ids));
  });

  const list = (ctx: RequestContext) => {
    const q = alertQuery(parseQuery(ctx.qs), ctx.now);
    const found = app.store.queryAlerts(q.filter, ctx.now);
    if (ctx.method === 'HEAD') {
      sendEmpty(ctx.res, 200);
      return;
    }
    if (found.length === 0) {
      sendJson(ctx.res, 200, 'null');
      return;
    }
    sendJson(ctx.res, 200, JSON.stringify(found.map((a) => alertJSON(app, a, q.withDecisions, ctx.now))));
  };
  router.add('GET', '/v1/alerts', 'jwt', list);
  router.add('HEAD', '/v1/alerts', 'jwt', list);

  const one = (ctx: RequestContext) => {
    const id = alertId(ctx);
    if (id === null) return;
    const a = app.store.getAlert(id);
    if (a === undefined) {
      sendMessage(ctx.res, 404, 'object not found');
      return;
    }
    if (ctx.method === 'HEAD') {
      sendEmpty(ctx.res, 200);
      return;
    }
    sendJson(ctx.res, 200, JSON.stringify(alertJSON(app, a, true, ctx.now)));
  };
  router.add('GET', '/v1/alerts/:alert_id', 'jwt', one);
  router.add('HEAD', '/v1/alerts/:alert_id', 'jwt', one);

  router.add('DELETE', '/v1/alerts', 'jwt', async (ctx) => {
    if (!trusted(app, ctx)) return;
    const q = alertQuery(parseQuery(ctx.qs), ctx.now);
    if (q.filter.limit === undefined) q.filter.limit = 0;
    const n = await app.store.deleteAlerts(q.filter, ctx.now);
    sendJson(ctx.res, 200, '{"nbDeleted":"' + n + '"}');
  });
  router.add('DELETE', '/v1/alerts/:alert_id', 'jwt', async (ctx) => {
    if (!trusted(app, ctx)) return;
    const id = alertId(ctx);
    if (id === null) return;
    if (!(await app.store.deleteAlert(id))) {
      sendMessage(ctx.res, 404, 'object not found');
      return;
    }
    sendJson(ctx.res, 200, '{"nbDeleted":"1"}');
  });
}
