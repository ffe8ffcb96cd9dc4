// Watcher (machine) routes (spec lapi.md §3.2, §6.1-§6.3, §6.5): registration, login (JWT issue with the
// User-Agent `type/version` rule and the v1.4.6 error texts), token refresh, self-deletion.

import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { BodyError, readJsonBody, UNAUTH_BODY_LIMIT } from '../body.js';
import { sendEmpty, sendJson, sendJwtError, sendMessage } from '../reply.js';
import { hashPassword, verifyPassword } from '../password.js';
import { JwtAuth } from '../auth-jwt.js';
import { splitUserAgent } from '../auth-apikey.js';
import { formatRfc3339 } from '../format.js';

function tokenBody(app: LapiApp, machineId: string, now: number): string {
  const { token, exp } = app.jwt.sign(machineId, now);
  return '{"code":200,"expire":"' + formatRfc3339(exp * 1000) + '","token":"' + token + '"}';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function register(app: LapiApp, ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req, UNAUTH_BODY_LIMIT);
  if (!isObject(body)) throw new BodyError(400, 'json: cannot unmarshal ' + (Array.isArray(body) ? 'array' : typeof body) + ' into Go value of type models.WatcherRegistrationRequest');
  for (const f of ['machine_id', 'password', 'registration_token']) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new BodyError(400, `json: cannot unmarshal ${typeof v} into Go struct field WatcherRegistrationRequest.${f} of type string`);
    }
  }
  const errors: string[] = [];
  if (typeof body.machine_id !== 'string') errors.push('machine_id in body is required');
  if (typeof body.password !== 'string') errors.push('password in body is required');
  const tok = body.registration_token;
  if (typeof tok === 'string' && tok.length < 32) errors.push('registration_token in body should be at least 32 chars long');
  if (typeof tok === 'string' && tok.length > 255) errors.push('registration_token in body should be at most 255 chars long');
  if (errors.length > 0) { sendMessage(ctx.res, 422, 'validation failure list:\n' + errors.join('\n')); return; }
  const id = body.machine_id as string;
  if (app.store.getMachine(id) !== undefined) { sendMessage(ctx.res, 403, `user '${id}': user already exist`); return; }
  const passwordHash = await hashPassword(body.password as string);
  if (app.store.getMachine(id) !== undefined) { sendMessage(ctx.res, 403, `user '${id}': user already exist`); return; }
  await app.store.putMachine({
    machineId: id, passwordHash, isValidated: false, authType: 'password', ipAddress: ctx.ip, version: '', scenarios: '',
    createdAt: ctx.now, updatedAt: ctx.now, lastPush: null, lastHeartbeat: null,
  });
  app.log(`machine ${id} registered from ${ctx.ip} (not validated)`);
  sendEmpty(ctx.res, 201);
}

async function login(app: LapiApp, ctx: RequestContext): Promise<void> {
  let body: unknown;
  try { body = await readJsonBody(ctx.req, UNAUTH_BODY_LIMIT); } catch (e) {
    if (e instanceof BodyError) { sendJwtError(ctx.res, 'input format error'); return; }
    throw e;
  }
  if (!isObject(body) || typeof body.machine_id !== 'string' || typeof body.password !== 'string'
    || (body.scenarios !== undefined && body.scenarios !== null && !(Array.isArray(body.scenarios) && body.scenarios.every((s) => typeof s === 'string')))) {
    sendJwtError(ctx.res, 'input format error');
    return;
  }
  const id = body.machine_id;
  const m = app.store.getMachine(id);
  if (m === undefined) { sendJwtError(ctx.res, 'ent: machine not found'); return; }
  if (!m.isValidated) { sendJwtError(ctx.res, `machine ${id} not validated`); return; }
  if (m.authType !== 'password') { sendJwtError(ctx.res, `machine ${id} attempted to auth with password but it is configured to use ${m.authType}`); return; }
  if (!(await verifyPassword(body.password, m.passwordHash))) { sendJwtError(ctx.res, 'incorrect Username or Password'); return; }
  const ua = ctx.req.headers['user-agent'] ?? '';
  const [, version] = splitUserAgent(ua);
  if (version === 'N/A' && ua.split('/').length !== 2) {
    app.log(`bad user agent '${ua}' from '${ctx.ip}' (machine ${id})`);
    sendJwtError(ctx.res, 'incorrect Username or Password');
    return;
  }
  const scenarios = Array.isArray(body.scenarios) && body.scenarios.length > 0 ? (body.scenarios as string[]).join(',') : null;
  if (m.ipAddress !== '' && m.ipAddress !== ctx.ip) app.log(`machine ${id}: IP changed from ${m.ipAddress} to ${ctx.ip}`);
  await app.updateMachine(id, scenarios === null ? { ipAddress: ctx.ip, version } : { ipAddress: ctx.ip, version, scenarios });
  sendJson(ctx.res, 200, tokenBody(app, id, ctx.now));
}

function refresh(app: LapiApp, ctx: RequestContext): void {
  const check = app.jwt.verify(JwtAuth.tokenOf(ctx.req), ctx.now, true);
  if (!check.ok) { sendJwtError(ctx.res, check.message); return; }
  if (app.store.getMachine(check.claims.id) === undefined) { sendJwtError(ctx.res, 'ent: machine not found'); return; }
  sendJson(ctx.res, 200, tokenBody(app, check.claims.id, ctx.now));
}

export function registerWatcherRoutes(router: Router, app: LapiApp): void {
  router.add('POST', '/v1/watchers', 'none', (ctx) => register(app, ctx));
  router.add('POST', '/v1/watchers/login', 'none', (ctx) => login(app, ctx));
  router.add('GET', '/v1/refresh_token', 'none', (ctx) => refresh(app, ctx));
  router.add('DELETE', '/v1/watchers/self', 'jwt', async (ctx) => {
    await app.store.deleteMachine(ctx.machineId!);
    app.log(`machine ${ctx.machineId} deleted itself`);
    sendEmpty(ctx.res, 204);
  });
}
