// Allowlist routes (spec lapi.md §4, §8.8; current CrowdSec versions), all watcher-JWT authenticated:
// GET /v1/allowlists[?with_content=true], GET /v1/allowlists/:allowlist_name (404 when unknown),
// GET/HEAD /v1/allowlists/check/:ip_or_range (HEAD: 200 allowlisted, 204 not) and the bulk
// POST /v1/allowlists/check. Owns: the JSON shapes of these answers.

import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { AllowlistRecord, AllowlistStore } from '../../store/allowlists.js';
import { parseIpOrRange } from '../../store/iprange.js';
import { AUTH_BODY_LIMIT, readJsonBody } from '../body.js';
import { sendEmpty, sendJson, sendMessage } from '../reply.js';
import { formatRfc3339 } from '../../api/wire-time.js';
import { parseGoBool, parseQuery } from '../query.js';

function allowlistJSON(a: AllowlistRecord, withContent: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: a.name,
    allowlist_id: a.allowlistId,
    description: a.description,
  };
  if (withContent) {
    out.items = a.items.map((i) => ({
      value: i.value,
      description: i.description,
      created_at: formatRfc3339(i.createdAt),
      expiration: i.expiration === null ? null : formatRfc3339(i.expiration),
    }));
  }
  out.created_at = formatRfc3339(a.createdAt);
  out.updated_at = formatRfc3339(a.updatedAt);
  out.console_managed = false;
  return out;
}

function withContent(ctx: RequestContext): boolean {
  const q = parseQuery(ctx.qs);
  for (let i = 0; i < q.length; i += 2) if (q[i] === 'with_content') return parseGoBool(q[i + 1]) === true;
  return false;
}

export function registerAllowlistRoutes(router: Router, allowlists: AllowlistStore): void {
  router.add('GET', '/v1/allowlists', 'jwt', (ctx) => {
    const content = withContent(ctx);
    sendJson(ctx.res, 200, JSON.stringify(allowlists.list().map((a) => allowlistJSON(a, content))));
  });

  router.add('GET', '/v1/allowlists/:allowlist_name', 'jwt', (ctx) => {
    const a = allowlists.get(ctx.param);
    if (a === undefined) {
      sendMessage(ctx.res, 404, `allowlist '${ctx.param}' not found`);
      return;
    }
    sendJson(ctx.res, 200, JSON.stringify(allowlistJSON(a, withContent(ctx))));
  });

  const checkOne = (ctx: RequestContext) => {
    const r = parseIpOrRange(ctx.param);
    if (r === null) {
      sendMessage(ctx.res, 400, `'${ctx.param}' is not an IP address or a CIDR range`);
      return;
    }
    if (ctx.method === 'HEAD') {
      sendEmpty(ctx.res, allowlists.isAllowlisted(r, ctx.now) ? 200 : 204);
      return;
    }
    const names = allowlists.checkRange(r, ctx.now);
    const reason = names.length > 0 ? `${ctx.param} is allowlisted by ${names.join(', ')}` : '';
    sendJson(ctx.res, 200, JSON.stringify({ allowlisted: names.length > 0, reason }));
  };
  router.add('GET', '/v1/allowlists/check/:ip_or_range', 'jwt', checkOne);
  router.add('HEAD', '/v1/allowlists/check/:ip_or_range', 'jwt', checkOne);

  router.add('POST', '/v1/allowlists/check', 'jwt', async (ctx) => {
    const body = await readJsonBody(ctx.req, AUTH_BODY_LIMIT);
    const targets = body !== null && typeof body === 'object' ? (body as { targets?: unknown }).targets : undefined;
    if (!Array.isArray(targets) || targets.length === 0) {
      sendMessage(ctx.res, 400, 'targets: a non-empty array of IPs or ranges is required');
      return;
    }
    const results: { target: string; allowlists: string[] }[] = [];
    for (let i = 0; i < targets.length; i++) {
      const t: unknown = targets[i];
      const r = typeof t === 'string' ? parseIpOrRange(t) : null;
      if (r === null) {
        sendMessage(ctx.res, 400, `targets[${i}]: '${String(t)}' is not an IP address or a CIDR range`);
        return;
      }
      const names = allowlists.checkRange(r, ctx.now);
      if (names.length > 0) results.push({ target: t as string, allowlists: names });
    }
    sendJson(ctx.res, 200, JSON.stringify({ results }));
  });
}
