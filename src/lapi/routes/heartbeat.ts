// GET /v1/heartbeat (spec lapi.md §6.4): records the machine's last heartbeat (store + the
// cs_machines_last_heartbeat_timestamp gauge); 200 with an empty body.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import { sendEmpty } from '../reply.js';

export function registerHeartbeatRoutes(router: Router, app: LapiApp): void {
  router.add('GET', '/v1/heartbeat', 'jwt', async (ctx) => {
    const id = ctx.machineId!;
    app.metrics.heartbeatAt(id, ctx.now);
    await app.updateMachine(id, { lastHeartbeat: ctx.now });
    sendEmpty(ctx.res, 200);
  });
}
