// GET/HEAD /v1/decisions/stream (spec lapi.md §5.1): startup snapshot or delta since the bouncer's last pull
// (default scopes ip,range, de-duplication unless dedup=false), `{"new":[…],"deleted":[…]}` with `[]` for
// empty lists (or protobuf on request). last_pull := request start time, written before the answer so the
// next poll sees it; HEAD only validates the key. A large answer never holds the event loop (issue 11 §4):
// JSON is written in pieces with chunked encoding (as CrowdSec streams it), protobuf is encoded a slice at a
// time (../paced.ts); the bytes are the same as in one piece, durations relative to the request time. An answer
// made from lists the store shares (a large delta every polling bouncer gets) is encoded once for all the
// requests that would get the same bytes (../shared-answers.ts).

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { StreamResult } from '../../store/records.js';
import { JSON_TYPE, sendEmpty } from '../reply.js';
import { decisionQuery, parseQuery } from '../query.js';
import { streamJSON, streamJSONPieces } from '../decision-json.js';
import { wantsProtobuf, type ProtobufCodec } from '../protobuf-codec.js';
import { ONE_PIECE_DECISIONS, PIECE_DECISIONS, runSteps, writePieces } from '../paced.js';
import { SharedAnswers } from '../shared-answers.js';

/** the answer, encoded in the pacer's turns: one piece (small) or PIECE_DECISIONS decisions per piece (JSON) */
async function encode(r: StreamResult, now: number, protobuf: ProtobufCodec | null): Promise<Buffer[]> {
  if (protobuf !== null) return [await runSteps(protobuf.encodeStreamSteps(r, now, PIECE_DECISIONS))];
  if (isSmall(r)) return [Buffer.from(streamJSON(r, now))];
  return runSteps(jsonPieces(r, now));
}

function* jsonPieces(r: StreamResult, now: number): Generator<void, Buffer[]> {
  const out: Buffer[] = [];
  for (const s of streamJSONPieces(r, now, PIECE_DECISIONS)) {
    out.push(Buffer.from(s));
    yield;
  }
  return out;
}

function isSmall(r: StreamResult): boolean {
  return r.new.length + r.deleted.length <= ONE_PIECE_DECISIONS;
}

/** an encoded answer: with its length when in one piece (small JSON, protobuf), else chunked; returns its size */
async function send(ctx: RequestContext, type: string, pieces: Buffer[]): Promise<number> {
  if (ctx.res.destroyed) return 0;
  if (pieces.length === 1) {
    ctx.res.writeHead(200, { 'Content-Type': type, 'Content-Length': pieces[0]!.length });
    ctx.res.end(pieces[0]);
    return pieces[0]!.length;
  }
  ctx.res.writeHead(200, { 'Content-Type': type });
  return writePieces(ctx.res, pieces.values());
}

/** the answer, written; returns its size in bytes */
async function answer(
  ctx: RequestContext,
  r: StreamResult,
  protobuf: ProtobufCodec | null,
  shared: SharedAnswers,
): Promise<number> {
  const pb = protobuf !== null && wantsProtobuf(ctx.req) ? protobuf : null;
  const type = pb !== null ? pb.contentType : JSON_TYPE;
  const kept = shared.get(r, ctx.now, type, () => encode(r, ctx.now, pb));
  if (kept !== null) return send(ctx, type, await kept);
  const small = isSmall(r);
  if (pb !== null) {
    const body = small
      ? pb.encodeStream(r, ctx.now)
      : await runSteps(pb.encodeStreamSteps(r, ctx.now, PIECE_DECISIONS));
    return send(ctx, type, [body]);
  }
  if (small) return send(ctx, type, [Buffer.from(streamJSON(r, ctx.now))]);
  ctx.res.writeHead(200, { 'Content-Type': JSON_TYPE });
  return writePieces(ctx.res, streamJSONPieces(r, ctx.now, PIECE_DECISIONS));
}

export function registerStreamRoutes(router: Router, app: LapiApp, protobuf: ProtobufCodec | null): void {
  const shared = new SharedAnswers();
  const stream = async (ctx: RequestContext) => {
    const q = decisionQuery(parseQuery(ctx.qs), true);
    const b = ctx.bouncer!;
    const r = app.store.stream(q.filter, { startup: q.startup, lastPull: b.lastPull, dedup: q.dedup, now: ctx.now });
    await app.apiKeys.update(b.name, { lastPull: ctx.now }, ctx.now);
    const size = await answer(ctx, r, protobuf, shared);
    (q.startup || b.lastPull === null ? app.metrics.streamBytesStartup : app.metrics.streamBytesDelta).observe(size);
  };
  router.add('GET', '/v1/decisions/stream', 'apikey', stream);
  router.add('HEAD', '/v1/decisions/stream', 'apikey', (ctx) => {
    sendEmpty(ctx.res, 200);
  });
}
