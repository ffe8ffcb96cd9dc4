// GET /health: liveness, no authentication (spec lapi.md §4).

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import { sendJson } from '../reply.js';

const UP = '{"status":"up"}';

// `_app`: same signature as the other route groups
export function registerHealthRoutes(router: Router, _app: LapiApp): void {
  router.add('GET', '/health', 'none', (ctx) => {
    sendJson(ctx.res, 200, UP);
  });
}
