// Alert routes (spec lapi.md §6.6-§6.9): POST /v1/alerts (validation, profiles, ids as strings, 201),
// GET/HEAD /v1/alerts with every filter (`null` when empty), GET/HEAD /v1/alerts/:alert_id (a large answer is
// written in pieces, ../paced.ts, same bytes), and the trusted-IP-only hard deletions DELETE /v1/alerts and
// /v1/alerts/:alert_id.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { AlertRecord, DecisionRecord } from '../../store/records.js';
import { AUTH_BODY_LIMIT, readJsonBody } from '../body.js';
import { JSON_TYPE, sendEmpty, sendJson, sendMessage } from '../reply.js';
import { alertQuery, parseQuery } from '../query.js';
import { MAX_DECISIONS_PER_POST, validateAlerts } from '../validate.js';
import type { KeyLimit } from '../body-keys.js';
import { alertJSONPieces, alertToJSON } from '../alert-model.js';
import { PIECE_DECISIONS, writePieces } from '../paced.js';

/** a POST body with more decisions than a request may carry is refused before it is parsed */
const DECISION_KEYS: KeyLimit = {
  key: 'duration',
  max: MAX_DECISIONS_PER_POST,
  message: (n) => `${n} decisions, limit ${MAX_DECISIONS_PER_POST} per request`,
};

/** a POST body above this size is handled in several turns */
const LARGE_BODY = 256 * 1024;

/**
 * work of one piece of a large GET /v1/alerts answer, in decisions (an alert itself counts ALERT_COST); an
 * alert's decision costs about two of the stream's (JSON.stringify of an object with two dates)
 */
const PIECE_COST = PIECE_DECISIONS / 2;
const ALERT_COST = 20;

function costOf(a: AlertRecord, withDecisions: boolean): number {
  return ALERT_COST + (withDecisions ? a.decisionIds.length : 0);
}

function decisionsOf(app: LapiApp, a: AlertRecord): DecisionRecord[] {
  const out: DecisionRecord[] = [];
  for (const id of a.decisionIds) {
    const d = app.store.getDecision(id);
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** alerts as GET /v1/alerts shows them (`null` when none, as CrowdSec), chunked when large, else in one piece */
async function sendAlerts(
  ctx: RequestContext,
  app: LapiApp,
  found: AlertRecord[],
  withDecisions: boolean,
  asList: boolean,
): Promise<void> {
  if (found.length === 0) {
    sendJson(ctx.res, 200, 'null');
    return;
  }
  let cost = 0;
  for (const a of found) cost += costOf(a, withDecisions);
  if (cost <= PIECE_COST) {
    const body = found
      .map((a) => JSON.stringify(alertToJSON(a, withDecisions ? decisionsOf(app, a) : null, ctx.now)))
      .join(',');
    sendJson(ctx.res, 200, asList ? '[' + body + ']' : body);
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE });
  await writePieces(ctx.res, alertPieces(app, found, withDecisions, asList, ctx.now));
}

/** the text of sendAlerts in pieces of about PIECE_COST */
function* alertPieces(
  app: LapiApp,
  found: AlertRecord[],
  withDecisions: boolean,
  asList: boolean,
  now: number,
): Generator<string, void> {
  let piece = asList ? '[' : '';
  let cost = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    if (i > 0) piece += ',';
    if (withDecisions && a.decisionIds.length > PIECE_COST) {
      if (piece !== '') yield piece;
      piece = '';
      cost = 0;
      yield* alertJSONPieces(a, decisionsOf(app, a), now, PIECE_COST);
      continue;
    }
    piece += JSON.stringify(alertToJSON(a, withDecisions ? decisionsOf(app, a) : null, now));
    cost += costOf(a, withDecisions);
    if (cost >= PIECE_COST) {
      yield piece;
      piece = '';
      cost = 0;
    }
  }
  piece += asList ? ']' : '';
  if (piece !== '') yield piece;
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
    const body = await readJsonBody(ctx.req, AUTH_BODY_LIMIT, undefined, DECISION_KEYS);
    // a large body: parsing, checking and storing each in their own turns (issue 11 §4)
    const large = Number(ctx.req.headers['content-length']) > LARGE_BODY;
    if (large) await nextTurn();
    const alerts = validateAlerts(body);
    if (large) await nextTurn();
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
    return sendAlerts(ctx, app, found, q.withDecisions, true);
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
    return sendAlerts(ctx, app, [a], true, false);
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
