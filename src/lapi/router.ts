// Method + path dispatch of the Local API without a regex per request: one tree per method (like gin) holding
// a Map of static paths and a short list of `prefix/:param` routes. A path known under another method gives
// 405, an unknown one 404 (both with empty bodies, spec lapi.md §2). HEAD is only routed where it is
// registered explicitly. Route handler objects also carry their cached metric children.

import type { RouteMetrics } from './metrics.js';
import type { RequestContext } from './context.js';

/** How a route authenticates: none, bouncer API key, watcher JWT, or either (usage metrics, §3.3). */
export type AuthKind = 'none' | 'apikey' | 'jwt' | 'either';

export interface RouteHandler {
  /** route template, used as the metrics label (`/v1/decisions/:decision_id`) */
  readonly route: string;
  readonly method: string;
  readonly auth: AuthKind;
  handle(ctx: RequestContext): void | Promise<void>;
  /** filled by the server on first use */
  metrics: RouteMetrics | null;
}

interface ParamRoute {
  prefix: string;
  handler: RouteHandler;
}
/** static routes keep a prebuilt Match, so a static lookup allocates nothing */
interface MethodTree {
  exact: Map<string, Match>;
  params: ParamRoute[];
}

export type Match = { handler: RouteHandler; param: string } | { status: 404 | 405 };
const NOT_FOUND: Match = { status: 404 };
const NOT_ALLOWED: Match = { status: 405 };

export class Router {
  private readonly trees = new Map<string, MethodTree>();

  add(method: string, route: string, auth: AuthKind, handle: RouteHandler['handle']): void {
    let t = this.trees.get(method);
    if (t === undefined) {
      t = { exact: new Map(), params: [] };
      this.trees.set(method, t);
    }
    const handler: RouteHandler = { route, method, auth, handle, metrics: null };
    const colon = route.indexOf('/:');
    if (colon === -1) t.exact.set(route, { handler, param: '' });
    else t.params.push({ prefix: route.slice(0, colon + 1), handler });
  }

  /** `param` is the URL-unescaped last segment for `/:param` routes, '' otherwise. */
  match(method: string, path: string): Match {
    const t = this.trees.get(method);
    if (t !== undefined) {
      const m = matchTree(t, path);
      if (m !== null) return m;
    }
    for (const [other, tree] of this.trees) {
      if (other !== method && matchTree(tree, path) !== null) return NOT_ALLOWED;
    }
    return NOT_FOUND;
  }
}

function matchTree(t: MethodTree, path: string): Match | null {
  const m = t.exact.get(path);
  if (m !== undefined) return m;
  for (const p of t.params) {
    if (path.length > p.prefix.length && path.startsWith(p.prefix) && path.indexOf('/', p.prefix.length) === -1) {
      let param = path.slice(p.prefix.length);
      if (param.includes('%')) {
        try {
          param = decodeURIComponent(param);
        } catch {
          /* keep raw */
        }
      }
      return { handler: p.handler, param };
    }
  }
  return null;
}
