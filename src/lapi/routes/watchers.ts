// Watcher (machine) routes (spec lapi.md §3.2, §6.1-§6.3, §6.5): registration, login (JWT issue with the
// User-Agent `type/version` rule and the v1.4.6 error texts), token refresh, self-deletion. A connection with
// an agent client certificate (../auth-tls.ts) logs in as the machine `<CN>@<ip>` (created validated, auth
// type `tls`) with only `{"scenarios":[…]}`; other connections use machine_id + password.

import crypto from 'node:crypto';
import type { LapiApp } from '../app.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { BodyError, readJsonBody } from '../body.js';
import { sendEmpty, sendJson, sendJwtError, sendMessage } from '../reply.js';
import { hashPassword, verifyPassword } from '../password.js';
import { JwtAuth } from '../auth-jwt.js';
import type { TlsClientAuth } from '../auth-tls.js';
import type { MachineRecord } from '../../store/records.js';
import { splitUserAgent } from '../auth-apikey.js';
import { formatRfc3339 } from '../../api/wire-time.js';

/** bodies of the unauthenticated login and registration: a few fields (issue 11 §4: cheap to refuse) */
export const LOGIN_BODY_LIMIT = 64 * 1024;
const LOGIN_BODY_TIMEOUT_MS = 10_000;
/** longest machine id / password accepted (an LMDB key holds at most 1978 bytes) */
const MAX_ID = 255,
  MAX_PASSWORD = 1024;
/** hash compared against for an unknown machine: the same answer in the same time as a wrong password */
let dummyHash: Promise<string> | null = null;
function dummy(): Promise<string> {
  return (dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex')));
}

async function tokenBody(app: LapiApp, machineId: string, now: number): Promise<string> {
  const { token, exp } = await app.jwt.sign(machineId, now, app.machineGen(machineId));
  return '{"code":200,"expire":"' + formatRfc3339(exp * 1000) + '","token":"' + token + '"}';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function register(app: LapiApp, ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req, LOGIN_BODY_LIMIT, LOGIN_BODY_TIMEOUT_MS);
  if (!isObject(body))
    throw new BodyError(
      400,
      'json: cannot unmarshal ' +
        (Array.isArray(body) ? 'array' : typeof body) +
        ' into Go value of type models.WatcherRegistrationRequest',
    );
  for (const f of ['machine_id', 'password', 'registration_token']) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new BodyError(
        400,
        `json: cannot unmarshal ${typeof v} into Go struct field WatcherRegistrationRequest.${f} of type string`,
      );
    }
  }
  if (typeof body.machine_id === 'string' && body.machine_id.length > MAX_ID) {
    throw new BodyError(400, `machine_id: ${body.machine_id.length} characters, limit ${MAX_ID}`);
  }
  if (typeof body.password === 'string' && body.password.length > MAX_PASSWORD) {
    throw new BodyError(400, `password: ${body.password.length} characters, limit ${MAX_PASSWORD}`);
  }
  const errors: string[] = [];
  if (typeof body.machine_id !== 'string') errors.push('machine_id in body is required');
  if (typeof body.password !== 'string') errors.push('password in body is required');
  const tok = body.registration_token;
  if (typeof tok === 'string' && tok.length < 32)
    errors.push('registration_token in body should be at least 32 chars long');
  if (typeof tok === 'string' && tok.length > 255)
    errors.push('registration_token in body should be at most 255 chars long');
  if (errors.length > 0) {
    sendMessage(ctx.res, 422, 'validation failure list:\n' + errors.join('\n'));
    return;
  }
  const id = body.machine_id as string;
  if (app.store.getMachine(id) !== undefined) {
    sendMessage(ctx.res, 403, `user '${id}': user already exist`);
    return;
  }
  const passwordHash = await hashPassword(body.password as string);
  if (app.store.getMachine(id) !== undefined) {
    sendMessage(ctx.res, 403, `user '${id}': user already exist`);
    return;
  }
  await app.store.putMachine({
    machineId: id,
    passwordHash,
    isValidated: false,
    authType: 'password',
    ipAddress: ctx.ip,
    version: '',
    scenarios: '',
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lastPush: null,
    lastHeartbeat: null,
  });
  app.log(`machine ${id} registered from ${ctx.ip} (not validated)`);
  sendEmpty(ctx.res, 201);
}

/** the body of a refused request is read and discarded (the answer can be written) */
function drainQuiet(ctx: RequestContext): void {
  ctx.req.on('error', () => undefined);
  ctx.req.resume();
}

function isScenarioList(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
}

/** the version part of a `type/version` User-Agent, or null (login refused, spec §3.2) */
function loginVersion(app: LapiApp, ctx: RequestContext, id: string): string | null {
  const ua = ctx.req.headers['user-agent'] ?? '';
  const [, version] = splitUserAgent(ua);
  if (version === 'N/A' && ua.split('/').length !== 2) {
    app.log(`bad user agent '${ua}' from '${ctx.ip}' (machine ${id})`);
    sendJwtError(ctx.res, 'incorrect Username or Password');
    return null;
  }
  return version;
}

async function login(app: LapiApp, ctx: RequestContext, tls: TlsClientAuth | null): Promise<void> {
  let body: unknown;
  const wait = app.logins.retryAfter(ctx.ip, ctx.now);
  if (wait > 0) {
    ctx.res.setHeader('retry-after', String(wait));
    sendJwtError(ctx.res, `too many failed logins from ${ctx.ip}: retry in ${wait} s`, 429);
    drainQuiet(ctx);
    return;
  }
  try {
    body = await readJsonBody(ctx.req, LOGIN_BODY_LIMIT, LOGIN_BODY_TIMEOUT_MS);
  } catch (e) {
    if (e instanceof BodyError) {
      sendJwtError(ctx.res, 'input format error');
      return;
    }
    throw e;
  }
  const tlsId = tls === null ? null : tls.agentId(ctx.req, ctx.ip);
  if (tlsId !== null) {
    await tlsLogin(app, ctx, tlsId, body);
    return;
  }
  if (
    !isObject(body) ||
    typeof body.machine_id !== 'string' ||
    typeof body.password !== 'string' ||
    !isScenarioList(body.scenarios)
  ) {
    sendJwtError(ctx.res, 'input format error');
    return;
  }
  const id = body.machine_id;
  const m = id.length <= MAX_ID ? app.store.getMachine(id) : undefined;
  // an unknown id costs the same hash as a wrong password and gets the same answer (no id enumeration)
  const ok = await verifyPassword(body.password, m?.authType === 'password' ? m.passwordHash : await dummy());
  if (m !== undefined && m.authType !== 'password') {
    app.logins.failed(ctx.ip, ctx.now);
    sendJwtError(ctx.res, `machine ${id} attempted to auth with password but it is configured to use ${m.authType}`);
    return;
  }
  if (m === undefined || !ok) {
    app.logins.failed(ctx.ip, ctx.now);
    sendJwtError(ctx.res, 'incorrect Username or Password');
    return;
  }
  app.logins.succeeded(ctx.ip);
  if (!m.isValidated) {
    sendJwtError(ctx.res, `machine ${id} not validated`);
    return;
  }
  const version = loginVersion(app, ctx, id);
  if (version === null) return;
  await finishLogin(app, ctx, id, m.ipAddress, body.scenarios, version);
}

/** login of an agent certificate: machine `<CN>@<ip>`, created validated with auth type tls when unknown */
async function tlsLogin(app: LapiApp, ctx: RequestContext, id: string, body: unknown): Promise<void> {
  if (!isObject(body) || !isScenarioList(body.scenarios)) {
    sendJwtError(ctx.res, 'input format error');
    return;
  }
  const version = loginVersion(app, ctx, id);
  if (version === null) return;
  let m = app.store.getMachine(id);
  if (m === undefined) {
    const created: MachineRecord = {
      machineId: id,
      passwordHash: '',
      isValidated: true,
      authType: 'tls',
      ipAddress: ctx.ip,
      version,
      scenarios: '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
      lastPush: null,
      lastHeartbeat: null,
    };
    await app.machineWrites.run(id, () => {
      if (app.store.getMachine(id) !== undefined) return undefined;
      app.log(`machine ${id} created from its TLS client certificate`);
      return app.store.putMachine(created);
    });
    m = app.store.getMachine(id) ?? created;
  }
  if (m.authType !== 'tls') {
    sendJwtError(ctx.res, `machine ${id} attempted to auth with TLS cert but it is configured to use ${m.authType}`);
    return;
  }
  if (!m.isValidated) {
    sendJwtError(ctx.res, `machine ${id} not validated`);
    return;
  }
  await finishLogin(app, ctx, id, m.ipAddress, body.scenarios, version);
}

/** stores scenarios / IP / version of a successful login and answers with a token */
async function finishLogin(
  app: LapiApp,
  ctx: RequestContext,
  id: string,
  knownIp: string,
  scenarioList: unknown,
  version: string,
): Promise<void> {
  const scenarios =
    Array.isArray(scenarioList) && scenarioList.length > 0 ? (scenarioList as string[]).join(',') : null;
  if (knownIp !== '' && knownIp !== ctx.ip) app.log(`machine ${id}: IP changed from ${knownIp} to ${ctx.ip}`);
  await app.updateMachine(
    id,
    scenarios === null ? { ipAddress: ctx.ip, version } : { ipAddress: ctx.ip, version, scenarios },
  );
  sendJson(ctx.res, 200, await tokenBody(app, id, ctx.now));
}

async function refresh(app: LapiApp, ctx: RequestContext): Promise<void> {
  const check = await app.jwt.verify(JwtAuth.tokenOf(ctx.req), ctx.now, true, app.machineGen);
  if (!check.ok) {
    sendJwtError(ctx.res, check.message);
    return;
  }
  if (app.store.getMachine(check.claims.id) === undefined) {
    sendJwtError(ctx.res, 'ent: machine not found');
    return;
  }
  sendJson(ctx.res, 200, await tokenBody(app, check.claims.id, ctx.now));
}

/** `tls`: agent client certificates accepted at login (null: no CA configured) */
export function registerWatcherRoutes(router: Router, app: LapiApp, tls: TlsClientAuth | null = null): void {
  router.add('POST', '/v1/watchers', 'none', (ctx) => register(app, ctx));
  router.add('POST', '/v1/watchers/login', 'none', (ctx) => login(app, ctx, tls));
  router.add('GET', '/v1/refresh_token', 'none', (ctx) => refresh(app, ctx));
  router.add('DELETE', '/v1/watchers/self', 'jwt', async (ctx) => {
    await app.store.deleteMachine(ctx.machineId!);
    app.log(`machine ${ctx.machineId} deleted itself`);
    sendEmpty(ctx.res, 204);
  });
}
