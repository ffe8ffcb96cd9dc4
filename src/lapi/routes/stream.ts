// GET/HEAD /v1/decisions/stream (spec lapi.md §5.1): startup snapshot or delta since the bouncer's last pull
// (default scopes ip,range, de-duplication unless dedup=false), `{"new":[…],"deleted":[…]}` with `[]` for
// empty lists (or protobuf on request). last_pull := request start time, written before the answer so the
// next poll sees it; HEAD only validates the key. A large answer never holds the event loop (issue 11 §4):
// JSON is written in pieces with chunked encoding (as CrowdSec streams it), protobuf is encoded a slice at a
// time (../paced.ts); the bytes are the same as in one piece, durations relative to the request time.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { StreamResult } from '../../store/records.js';
import { JSON_TYPE, sendEmpty } from '../reply.js';
import { decisionQuery, parseQuery } from '../query.js';
import { streamJSON, streamJSONPieces } from '../decision-json.js';
import { wantsProtobuf, type ProtobufCodec } from '../protobuf-codec.js';
import { PIECE_DECISIONS, runSteps, writePieces } from '../paced.js';

/** the answer, written; returns its size in bytes */
async function answer(ctx: RequestContext, r: StreamResult, protobuf: ProtobufCodec | null): Promise<number> {
  const small = r.new.length + r.deleted.length <= PIECE_DECISIONS;
  if (protobuf !== null && wantsProtobuf(ctx.req)) {
    const body = small
      ? protobuf.encodeStream(r, ctx.now)
      : await runSteps(protobuf.encodeStreamSteps(r, ctx.now, PIECE_DECISIONS));
    if (ctx.res.destroyed) return 0;
    ctx.res.writeHead(200, { 'Content-Type': protobuf.contentType, 'Content-Length': body.length });
    ctx.res.end(body);
    return body.length;
  }
  if (small) {
    const body = streamJSON(r, ctx.now);
    const size = Buffer.byteLength(body);
    ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': size });
    ctx.res.end(body);
    return size;
  }
  ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE });
  return writePieces(ctx.res, streamJSONPieces(r, ctx.now, PIECE_DECISIONS));
}

export function registerStreamRoutes(router: Router, app: LapiApp, protobuf: ProtobufCodec | null): void {
  const stream = async (ctx: RequestContext) => {
    const q = decisionQuery(parseQuery(ctx.qs), true);
    const b = ctx.bouncer!;
    const r = app.store.stream(q.filter, { startup: q.startup, lastPull: b.lastPull, dedup: q.dedup, now: ctx.now });
    await app.apiKeys.update(b.name, { lastPull: ctx.now }, ctx.now);
    const size = await answer(ctx, r, protobuf);
    (q.startup || b.lastPull === null ? app.metrics.streamBytesStartup : app.metrics.streamBytesDelta).observe(size);
  };
  router.add('GET', '/v1/decisions/stream', 'apikey', stream);
  router.add('HEAD', '/v1/decisions/stream', 'apikey', (ctx) => {
    sendEmpty(ctx.res, 200);
  });
}
