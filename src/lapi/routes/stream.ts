// GET/HEAD /v1/decisions/stream (spec lapi.md §5.1): startup snapshot or delta since the bouncer's last pull
// (default scopes ip,range, de-duplication unless dedup=false), `{"new":[…],"deleted":[…]}` with `[]` for
// empty lists (or protobuf on request). last_pull := request start time, written before the answer so the
// next poll sees it; HEAD only validates the key.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { JSON_TYPE, sendEmpty } from '../reply.js';
import { decisionQuery, parseQuery } from '../query.js';
import { streamJSON } from '../decision-json.js';
import { wantsProtobuf, type ProtobufCodec } from '../protobuf-codec.js';

export function registerStreamRoutes(router: Router, app: LapiApp, protobuf: ProtobufCodec | null): void {
  const stream = async (ctx: RequestContext) => {
    const q = decisionQuery(parseQuery(ctx.qs), true);
    const b = ctx.bouncer!;
    const r = app.store.stream(q.filter, { startup: q.startup, lastPull: b.lastPull, dedup: q.dedup, now: ctx.now });
    let body: Buffer | string;
    let type: string;
    if (protobuf !== null && wantsProtobuf(ctx.req)) {
      body = protobuf.encodeStream(r, ctx.now);
      type = protobuf.contentType;
    } else {
      body = streamJSON(r, ctx.now);
      type = JSON_TYPE;
    }
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    (q.startup || b.lastPull === null ? app.metrics.streamBytesStartup : app.metrics.streamBytesDelta).observe(size);
    await app.apiKeys.update(b.name, { lastPull: ctx.now }, ctx.now);
    ctx.res.writeHead(200, { 'Content-Type': type, 'Content-Length': size });
    ctx.res.end(body);
  };
  router.add('GET', '/v1/decisions/stream', 'apikey', stream);
  router.add('HEAD', '/v1/decisions/stream', 'apikey', (ctx) => {
    sendEmpty(ctx.res, 200);
  });
}
