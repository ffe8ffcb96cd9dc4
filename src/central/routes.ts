// The HTTP routes of Picket Central (capi.md §2-§8), under /v2 (CrowdSec 1.4.x) and /v3 (1.5+): register, login,
// enroll, signals, decisions stream, metrics (trailing slash, also accepted without), usage-metrics, decisions
// delete/sync, and the pre-signed curated list files. Unknown route: 404 empty; wrong method: 405 empty; a bad
// body: 4xx `{"message":…}` naming the field; a JWT failure: 401 `{"code":401,"message":…}`. Never a 500 on bad
// input: anything unexpected is logged and answered 500 without detail.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../core/errors.js';
import { BodyError, readJsonBody } from '../lapi/body.js';
import { sendJson, sendJwtError, sendMessage } from '../lapi/reply.js';
import type { CentralService } from './service.js';
import { loginProblem, passwordProblem } from './machines.js';
import { plainAddress, reporterNetwork } from './ipnet.js';
import type { SignalInput } from './consensus/types.js';
import type { MachineRecord } from './records.js';
import { SignalError, cleanSignals, signalId, toMinute } from './signals.js';
import { pullBody } from './stream.js';

const UNAUTH_LIMIT = 64 * 1024;
const AUTH_LIMIT = 2 * 1024 * 1024;
const OK = '{"message":"OK"}';

type Obj = Record<string, unknown>;
type Handler = (svc: CentralService, req: IncomingMessage, res: ServerResponse, ctx: Ctx) => Promise<void>;
interface Ctx {
  version: 2 | 3;
  query: URLSearchParams;
  now: number;
  machine: MachineRecord | null;
}
interface Route {
  method: 'GET' | 'POST';
  auth: boolean;
  handler: Handler;
}

async function objectBody(req: IncomingMessage, limit: number): Promise<Obj> {
  const b = await readJsonBody(req, limit);
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new BodyError(400, 'a JSON object expected');
  return b as Obj;
}

const register: Handler = async (svc, req, res, ctx) => {
  const body = await objectBody(req, UNAUTH_LIMIT);
  const why = loginProblem(body.machine_id) ?? passwordProblem(body.password);
  if (why) {
    sendMessage(res, 400, why);
    return;
  }
  const addr = plainAddress(req.socket.remoteAddress ?? '');
  const network = reporterNetwork(addr);
  const asn = svc.asn.asnOf(addr);
  const gate = svc.gate.admit(svc.gate.tokenOf(req, body, ctx.query), network, asn, ctx.now);
  if (!gate.ok) {
    if (gate.retryAfterS) res.setHeader('Retry-After', String(gate.retryAfterS));
    sendMessage(res, gate.status, gate.message);
    return;
  }
  const m = await svc.machines.create(body.machine_id as string, body.password as string, ctx.now, { network, asn });
  if (!m) {
    sendMessage(res, 403, `user '${String(body.machine_id)}': user already exist`);
    return;
  }
  svc.registerReporter(m, ctx.now);
  sendMessage(res, 200, 'watcher registered');
};

function scenarioList(v: unknown): string[] | string {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 5000) return 'scenarios: an array of at most 5000 names expected';
  for (const s of v)
    if (typeof s !== 'string' || s.length > 255) return 'scenarios: names (strings of at most 255 characters) expected';
  return [...new Set(v as string[])];
}

const login: Handler = async (svc, req, res, ctx) => {
  let body: Obj;
  try {
    body = await objectBody(req, UNAUTH_LIMIT);
  } catch (e) {
    sendJwtError(res, errorMessage(e));
    return;
  }
  const why = loginProblem(body.machine_id) ?? (typeof body.password === 'string' ? null : 'password: required');
  const scenarios = scenarioList(body.scenarios);
  if (why || typeof scenarios === 'string') {
    sendJwtError(res, `input format error: ${why ?? String(scenarios)}`);
    return;
  }
  const m = await svc.machines.authenticate(body.machine_id as string, body.password as string);
  if (!m) {
    sendJwtError(res, 'incorrect Username or Password');
    return;
  }
  const addr = plainAddress(req.socket.remoteAddress ?? '');
  const network = reporterNetwork(addr);
  const asn = network === m.network && m.asn ? m.asn : svc.asn.asnOf(addr);
  if (network !== m.network || asn !== m.asn) {
    m.network = network;
    m.asn = asn;
    svc.registerReporter(m, ctx.now);
  }
  if (scenarios.length) m.scenarios = scenarios;
  m.lastLogin = ctx.now;
  svc.machines.touch(m);
  sendJson(res, 200, JSON.stringify(await svc.auth.issue(m.login, ctx.now)));
};

const enroll: Handler = async (svc, req, res, ctx) => {
  const body = await objectBody(req, UNAUTH_LIMIT);
  if (typeof body.attachment_key !== 'string' || body.attachment_key === '') {
    sendMessage(res, 400, 'attachment_key: required');
    return;
  }
  const m = ctx.machine!;
  m.enrolledAt = ctx.now;
  m.enrollName = typeof body.name === 'string' ? body.name.slice(0, 128) : '';
  svc.machines.touch(m);
  sendMessage(res, 200, 'enrollment recorded (Picket Central has no console: nothing else happens)');
};

const signals: Handler = async (svc, req, res, ctx) => {
  const body = await readJsonBody(req, AUTH_LIMIT);
  if (svc.ingest.full) {
    res.setHeader('Retry-After', '5');
    sendMessage(res, 503, 'ingest queue full, retry later');
    return;
  }
  let clean;
  try {
    clean = cleanSignals(body, ctx.now, svc.hub, svc.policy);
  } catch (e) {
    if (e instanceof SignalError) {
      sendMessage(res, e.status, e.message);
      return;
    }
    throw e;
  }
  const m = ctx.machine!;
  const received = toMinute(ctx.now);
  // exactly once: a signal whose (reporter, alert uuid) was already received is acknowledged and not counted again
  const ids = clean.map((c) => (c.uuid ? signalId(m.pseudonym, c.uuid) : ''));
  const fresh = await svc.store.claimSignalIds(
    ids.filter((id) => id !== ''),
    ctx.now,
  );
  const rows: SignalInput[] = [];
  clean.forEach(({ uuid: _uuid, ...c }, i) => {
    const id = ids[i]!;
    if (id !== '' && !fresh.delete(id)) return;
    rows.push({ ...c, received, reporter: m.pseudonym });
  });
  svc.ingest.push(rows);
  m.signals += rows.length;
  m.certifiedSignals += rows.filter((r) => r.trust === 'certified').length;
  m.lastPush = ctx.now;
  svc.machines.touch(m);
  sendJson(res, 200, OK);
};

const stream: Handler = (svc, req, res, ctx) => {
  const m = ctx.machine!;
  const site = svc.list.siteList(m.scenarios);
  const startup = ctx.query.get('startup') === 'true' || m.lastPull === null;
  const base = svc.config.publicUrl.replace(/\/+$/, '') || `http://${req.headers.host ?? 'localhost'}`;
  const body = pullBody(
    svc.list,
    site,
    {
      version: ctx.version,
      startup,
      lastPull: m.lastPull ?? 0,
      community: ctx.query.get('community_pull') !== 'false',
      additional: ctx.query.get('additional_pull') !== 'false',
    },
    () => svc.links.links(base, ctx.now),
  );
  m.lastPull = ctx.now;
  svc.machines.touch(m);
  sendJson(res, 200, body);
  return Promise.resolve();
};

/** metrics, usage-metrics, decisions/delete, decisions/sync: accepted, only the time is kept */
const accept =
  (what: string): Handler =>
  async (svc, req, res, ctx) => {
    const body = await readJsonBody(req, AUTH_LIMIT);
    if (what === 'decisions' && (!Array.isArray(body) || body.some((x) => typeof x !== 'string'))) {
      sendMessage(res, 400, 'a JSON array of decision UUID strings expected');
      return;
    }
    if (what !== 'decisions' && (typeof body !== 'object' || body === null)) {
      sendMessage(res, 400, 'a JSON object expected');
      return;
    }
    ctx.machine!.metricsAt = ctx.now;
    svc.machines.touch(ctx.machine!);
    sendJson(res, 200, OK);
  };

const ROUTES = new Map<string, Route>([
  ['watchers', { method: 'POST', auth: false, handler: register }],
  ['watchers/login', { method: 'POST', auth: false, handler: login }],
  ['watchers/enroll', { method: 'POST', auth: true, handler: enroll }],
  ['signals', { method: 'POST', auth: true, handler: signals }],
  ['decisions/stream', { method: 'GET', auth: true, handler: stream }],
  ['metrics/', { method: 'POST', auth: true, handler: accept('metrics') }],
  ['metrics', { method: 'POST', auth: true, handler: accept('metrics') }],
  ['usage-metrics', { method: 'POST', auth: true, handler: accept('usage-metrics') }],
  ['decisions/delete', { method: 'POST', auth: true, handler: accept('decisions') }],
  ['decisions/sync', { method: 'POST', auth: true, handler: accept('sync') }],
]);

function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 }).end();
}

async function dispatch(svc: CentralService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/v([23])\/(.+)$/.exec(url.pathname);
  const now = svc.now();
  if (!m) {
    empty(res, 404);
    return;
  }
  const version = Number(m[1]) as 2 | 3;
  const rest = m[2]!;
  if (rest.startsWith('blocklists/') && version === 3) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      empty(res, 405);
      return;
    }
    svc.links.serve(req, res, decodeURIComponent(rest.slice('blocklists/'.length)), url.searchParams, now);
    return;
  }
  const route = ROUTES.get(rest);
  if (!route) {
    empty(res, 404);
    return;
  }
  if (req.method !== route.method) {
    empty(res, 405);
    return;
  }
  const ctx: Ctx = { version, query: url.searchParams, now, machine: null };
  if (route.auth) {
    const t = await svc.auth.check(req, now);
    if (!t.ok) {
      sendJwtError(res, t.message);
      return;
    }
    const machine = await svc.machines.get(t.login);
    if (!machine) {
      sendJwtError(res, 'machine not found');
      return;
    }
    ctx.machine = machine;
  }
  await route.handler(svc, req, res, ctx);
}

/** the node:http request listener of a service */
export function centralHandler(svc: CentralService): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(svc, req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof BodyError) {
        sendMessage(res, e.status, e.message);
        return;
      }
      svc.log(`central: ${req.method ?? ''} ${req.url ?? ''}: ${errorMessage(e)}`);
      sendMessage(res, 500, 'internal error');
    });
  };
}
