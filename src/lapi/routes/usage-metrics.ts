// POST /v1/usage-metrics (spec lapi.md §3.3, §8.7): usage metrics of a bouncer (exactly one
// `remediation_components` item) or a machine (exactly one `log_processors` item): 400 for a malformed body or
// the wrong kind, 422 for schema violations, 201 with an empty body. An accepted body is stored with
// `store.addUsageMetrics` (LmdbLapiStore keeps it 7 days; `RC` + bouncer name or `LP` + machine id); a store
// without that optional method only gets it logged. Picket forwards nothing to CAPI.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { AUTH_BODY_LIMIT, BodyError, readJsonBody } from '../body.js';
import { sendEmpty, sendMessage } from '../reply.js';
import type { NewUsageMetrics } from '../../store/usage-metrics.js';

const MAX_STRING = 255;

/** Optional store extension (not in records.ts; LmdbLapiStore has it): keep usage metrics 7 days. */
export interface UsageMetricsSink {
  addUsageMetrics(r: NewUsageMetrics): Promise<void>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

class Schema {
  readonly errors: string[] = [];
  req(o: Obj, f: string, path: string): unknown {
    const v = o[f];
    if (v === undefined || v === null) this.errors.push(`${path}${f} in body is required`);
    return v;
  }
  str(o: Obj, f: string, path: string, required: boolean): void {
    const v = required ? this.req(o, f, path) : o[f];
    if (v === undefined || v === null) return;
    if (typeof v !== 'string') this.errors.push(`${path}${f} in body must be of type string: "${typeof v}"`);
    else if (v.length > MAX_STRING) this.errors.push(`${path}${f} in body should be at most ${MAX_STRING} chars long`);
  }
  num(o: Obj, f: string, path: string, required: boolean): void {
    const v = required ? this.req(o, f, path) : o[f];
    if (v !== undefined && v !== null && typeof v !== 'number')
      this.errors.push(`${path}${f} in body must be of type number: "${typeof v}"`);
  }
  arr(o: Obj, f: string, path: string, required: boolean): unknown[] {
    const v = required ? this.req(o, f, path) : o[f];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.errors.push(`${path}${f} in body must be of type array: "${typeof v}"`);
      return [];
    }
    return v;
  }

  /** fields shared by remediation components and log processors */
  component(c: unknown, path: string): void {
    if (!isObj(c)) {
      this.errors.push(`${path.slice(0, -1)} in body must be of type object`);
      return;
    }
    this.str(c, 'name', path, false);
    this.str(c, 'type', path, false);
    this.str(c, 'version', path, true);
    this.num(c, 'utc_startup_timestamp', path, true);
    if (c.os !== undefined && c.os !== null) {
      if (!isObj(c.os)) this.errors.push(`${path}os in body must be of type object`);
      else {
        this.str(c.os, 'name', `${path}os.`, false);
        this.str(c.os, 'version', `${path}os.`, false);
      }
    }
    this.arr(c, 'metrics', path, false).forEach((m, i) => {
      const mp = `${path}metrics.${i}.`;
      if (!isObj(m)) {
        this.errors.push(`${mp.slice(0, -1)} in body must be of type object`);
        return;
      }
      const meta = this.req(m, 'meta', mp);
      if (meta !== undefined && meta !== null) {
        if (!isObj(meta)) this.errors.push(`${mp}meta in body must be of type object`);
        else {
          this.num(meta, 'window_size_seconds', `${mp}meta.`, true);
          this.num(meta, 'utc_now_timestamp', `${mp}meta.`, true);
        }
      }
      this.arr(m, 'items', mp, true).forEach((it, j) => {
        const ip = `${mp}items.${j}.`;
        if (!isObj(it)) {
          this.errors.push(`${ip.slice(0, -1)} in body must be of type object`);
          return;
        }
        this.str(it, 'name', ip, true);
        this.num(it, 'value', ip, true);
        this.str(it, 'unit', ip, true);
      });
    });
  }
}

async function usageMetrics(app: LapiApp, ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req, AUTH_BODY_LIMIT);
  if (!isObj(body))
    throw new BodyError(
      400,
      `json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type models.AllMetrics`,
    );
  const s = new Schema();
  const rcs = s.arr(body, 'remediation_components', '', false);
  const lps = s.arr(body, 'log_processors', '', false);
  rcs.forEach((c, i) => s.component(c, `remediation_components.${i}.`));
  lps.forEach((c, i) => {
    s.component(c, `log_processors.${i}.`);
    if (isObj(c)) {
      const p = `log_processors.${i}.`;
      const hub = s.req(c, 'hub_items', p);
      if (hub !== undefined && hub !== null && !isObj(hub))
        s.errors.push(`${p}hub_items in body must be of type object`);
      const ds = s.req(c, 'datasources', p);
      if (ds !== undefined && ds !== null && !isObj(ds))
        s.errors.push(`${p}datasources in body must be of type object`);
    }
  });
  if (s.errors.length > 0) {
    sendMessage(ctx.res, 422, 'validation failure list:\n' + s.errors.join('\n'));
    return;
  }
  if (rcs.length > 0 && lps.length > 0) {
    sendMessage(ctx.res, 400, 'Only one of remediation_components or log_processors may be set');
    return;
  }
  let generatedType: 'RC' | 'LP';
  let generatedBy: string;
  if (ctx.bouncer !== null) {
    if (rcs.length !== 1 || lps.length > 0) {
      sendMessage(ctx.res, 400, 'Bouncers must send exactly one remediation_components item and no log_processors');
      return;
    }
    generatedType = 'RC';
    generatedBy = ctx.bouncer.name;
  } else {
    if (lps.length !== 1 || rcs.length > 0) {
      sendMessage(ctx.res, 400, 'Machines must send exactly one log_processors item and no remediation_components');
      return;
    }
    generatedType = 'LP';
    generatedBy = ctx.machineId!;
  }
  const sink = app.store as unknown as Partial<UsageMetricsSink>;
  if (typeof sink.addUsageMetrics === 'function') {
    await sink.addUsageMetrics({ generatedType, generatedBy, receivedAt: ctx.now, payload: JSON.stringify(body) });
  } else {
    app.log(`usage metrics from ${generatedType} ${generatedBy} not stored (the store has no usage-metrics table)`);
  }
  sendEmpty(ctx.res, 201);
}

export function registerUsageMetricsRoutes(router: Router, app: LapiApp): void {
  router.add('POST', '/v1/usage-metrics', 'either', (ctx) => usageMetrics(app, ctx));
}
