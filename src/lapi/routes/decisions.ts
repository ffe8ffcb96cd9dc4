// Decision routes (spec lapi.md §5.2, §6.10): the live lookup GET/HEAD /v1/decisions (the benchmarked hot
// path: one query parse, one index lookup, hand-written JSON; `null` when empty; protobuf on request;
// last_pull at most once a minute) and the soft deletions DELETE /v1/decisions and /v1/decisions/:decision_id.

import { performance } from 'node:perf_hooks';
import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { DecisionRecord } from '../../store/records.js';
import { JSON_TYPE, sendEmpty, sendJson, sendMessage } from '../reply.js';
import { decisionQuery, deleteDecisionFilter, ipOnlyQuery, parseQuery } from '../query.js';
import { decisionsArrayBytes, decisionsArrayJSON, decisionsArrayPieces } from '../decision-json.js';
import { ONE_PIECE_DECISIONS, PIECE_DECISIONS, runSteps, writePieces } from '../paced.js';
import { wantsProtobuf, type ProtobufCodec } from '../protobuf-codec.js';

function paginate(list: DecisionRecord[], idGt: number, offset: number, limit: number): DecisionRecord[] {
  let out = list;
  if (idGt > 0) out = out.filter((d) => d.id > idGt);
  if (offset > 0) out = out.slice(offset);
  if (limit > 0 && out.length > limit) out = out.slice(0, limit);
  return out;
}

/** a large answer (a bouncer asking for everything): encoded a slice at a time, JSON written chunked */
async function answerLarge(ctx: RequestContext, list: DecisionRecord[], protobuf: ProtobufCodec | null) {
  if (protobuf !== null && wantsProtobuf(ctx.req)) {
    const body = await runSteps(protobuf.encodeDecisionsSteps(list, ctx.now, PIECE_DECISIONS));
    if (ctx.res.destroyed) return;
    ctx.res.writeHead(200, { 'Content-Type': protobuf.contentType, 'Content-Length': body.length });
    ctx.res.end(body);
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE });
  await writePieces(ctx.res, decisionsArrayPieces(list, ctx.now, 'null', PIECE_DECISIONS));
}

export function registerDecisionRoutes(router: Router, app: LapiApp, protobuf: ProtobufCodec | null): void {
  const lookup = (ctx: RequestContext) => {
    // `?ip=X` alone (the bouncers' live query): no parameter list, no pagination
    const range = ipOnlyQuery(ctx.qs);
    const q = range === null ? decisionQuery(parseQuery(ctx.qs), false) : null;
    const t0 = performance.now();
    let list = app.store.queryDecisions(q === null ? { range: range! } : q.filter, ctx.now);
    app.metrics.lookupSeconds.observe((performance.now() - t0) / 1000);
    if (q !== null && (q.idGt > 0 || q.offset > 0 || q.limit > 0)) list = paginate(list, q.idGt, q.offset, q.limit);
    const b = ctx.bouncer!;
    app.metrics.decisionsResult(b.name, list.length > 0);
    if (ctx.method === 'HEAD') {
      sendEmpty(ctx.res, 200);
      return;
    }
    if (b.lastPull === null || ctx.now - b.lastPull >= 60_000) app.apiKeys.touchLastPull(b.name, ctx.now);
    if (list.length > ONE_PIECE_DECISIONS) return answerLarge(ctx, list, protobuf);
    if (protobuf !== null && wantsProtobuf(ctx.req)) {
      const body = protobuf.encodeDecisions(list, ctx.now);
      ctx.res.writeHead(200, { 'Content-Type': protobuf.contentType, 'Content-Length': body.length });
      ctx.res.end(body);
      return;
    }
    const body = decisionsArrayJSON(list, ctx.now, 'null');
    ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': decisionsArrayBytes(list, body) });
    ctx.res.end(body);
  };
  router.add('GET', '/v1/decisions', 'apikey', lookup);
  router.add('HEAD', '/v1/decisions', 'apikey', lookup);

  router.add('DELETE', '/v1/decisions', 'jwt', async (ctx) => {
    const filter = deleteDecisionFilter(parseQuery(ctx.qs));
    const n = await app.store.expireDecisions(filter, ctx.now);
    sendJson(ctx.res, 200, '{"nbDeleted":"' + n + '"}');
  });
  router.add('DELETE', '/v1/decisions/:decision_id', 'jwt', async (ctx) => {
    if (!/^\d{1,15}$/.test(ctx.param)) {
      sendMessage(ctx.res, 400, 'decision_id must be valid integer');
      return;
    }
    const id = Number(ctx.param);
    if (!(await app.store.expireDecision(id, ctx.now))) {
      sendMessage(ctx.res, 500, `decision with id '${id}' doesn't exist: unable to delete`);
      return;
    }
    sendJson(ctx.res, 200, '{"nbDeleted":"1"}');
  });
}
