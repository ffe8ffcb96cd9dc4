// The web console's HTTP side, mounted by the LAPI under /ui (the CrowdSec-compatible routes are untouched):
// the built Preact page (static files of build/ui with their content types and caching) and the JSON API
// under /ui/api — login/logout/me, dashboard, alerts, decisions (list/add/delete), allowlists (list/add/remove
// items), reports (./reports.ts) and privacy with the GDPR actions (./gdpr.ts). Every API call but login needs
// a session cookie; every unsafe one also its CSRF token.

import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LapiStore } from '../store/records.js';
import type { ReportSource } from '../report/index.js';
import { generateReport, listReports, privacyText, reportFile, sendReport } from './reports.js';
import { gdprErase, gdprErasures, gdprExport, type ConsoleGdpr } from './gdpr.js';
import type { AllowlistStore } from '../store/allowlists.js';
import { AllowlistError } from '../store/allowlists.js';
import type { AlertInput } from '../api/alerts.js';
import { verifyUser } from './users.js';
import { Sessions, securityHeaders, type Session } from './session.js';
import {
  ConsoleInputError,
  alertFilter,
  alertJson,
  dashboard,
  decisionFilter,
  decisionJson,
  durationMs,
  manualDecision,
} from './data.js';
import { errorMessage, isPicketError } from '../core/errors.js';
import { readJson, send, str } from './http.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export interface ConsoleOptions {
  store: LapiStore & ReportSource;
  allowlists: AllowlistStore | null;
  dataDir: string;
  /** the reports folder: report.output_dir, else reports/ of the data folder */
  reportDir: string;
  /** the GDPR actions (null: not offered, e.g. a store without its data folder) */
  gdpr: ConsoleGdpr | null;
  /** the built front end (index.html + assets/) */
  uiDir: string;
  tls: boolean;
  now?: () => number;
  log?: (line: string) => void;
}

/** the route with its parameter replaced: /decisions/12 -> /decisions/:id */
const routeKey = (route: string): string =>
  route.replace(/^\/decisions\/\d+$/, '/decisions/:id').replace(/^\/reports\/files\/[^/]*$/, '/reports/files/:name');

export class ConsoleHandler {
  readonly sessions: Sessions;
  /** set by the LAPI once it listens: the in-process alert ingestion (decision add) */
  ingest: ((alerts: readonly AlertInput[], machineId: string) => Promise<string[]>) | null = null;
  private readonly now: () => number;

  constructor(private readonly o: ConsoleOptions) {
    this.now = o.now ?? Date.now;
    this.sessions = new Sessions(this.now, o.tls);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res, this.o.tls);
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (!p.startsWith('/ui/api/')) {
      this.serveStatic(req, res, p);
      return;
    }
    this.api(req, res, p.slice('/ui/api'.length), url.searchParams).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof ConsoleInputError || e instanceof AllowlistError)
        send(res, e instanceof AllowlistError && e.kind === 'not-found' ? 404 : 400, { message: e.message });
      else if (isPicketError(e)) send(res, 400, { message: e.message });
      else {
        this.o.log?.(`console ${req.method} ${p}: ${errorMessage(e)}`);
        send(res, 500, { message: 'internal error' });
      }
    });
  }

  private serveStatic(req: IncomingMessage, res: ServerResponse, p: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { message: 'method not allowed' });
      return;
    }
    const rel = p === '/ui' || p === '/ui/' || !p.startsWith('/ui/assets/') ? 'index.html' : p.slice('/ui/'.length);
    const file = path.join(this.o.uiDir, rel);
    if (!file.startsWith(this.o.uiDir + path.sep) || rel.includes('..')) {
      send(res, 404, { message: 'not found' });
      return;
    }
    let body: Buffer;
    try {
      body = fs.readFileSync(file);
    } catch {
      send(res, 404, { message: rel === 'index.html' ? 'the console is not built: run npm run build' : 'not found' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      // hashed asset names never change; the page itself is always revalidated
      'Cache-Control': rel === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async api(req: IncomingMessage, res: ServerResponse, route: string, q: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    if (route === '/login' && method === 'POST') {
      await this.login(req, res);
      return;
    }
    const s = this.sessions.of(req);
    if (s === null) {
      send(res, 401, { message: 'log in first' });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD' && !this.sessions.csrfOk(req, s)) {
      send(res, 403, { message: 'missing or wrong CSRF token' });
      return;
    }
    const now = this.now();
    const key = `${method} ${routeKey(route)}`;
    switch (key) {
      case 'GET /me':
        send(res, 200, { user: s.user, csrf: s.csrf });
        return;
      case 'POST /logout':
        this.sessions.end(s);
        send(res, 200, {}, { 'Set-Cookie': this.sessions.cookie(null) });
        return;
      case 'GET /dashboard':
        send(res, 200, dashboard(this.o.store, now));
        return;
      case 'GET /alerts': {
        const after = Number(q.get('after') ?? 0);
        const list = this.o.store.queryAlerts(alertFilter(q, now), now).filter((a) => a.id > after);
        send(res, 200, list.map(alertJson));
        return;
      }
      case 'GET /decisions':
        send(res, 200, this.o.store.queryDecisions(decisionFilter(q), now).slice(0, 500).map(decisionJson));
        return;
      case 'POST /decisions':
        await this.addDecision(req, res, s, now);
        return;
      case 'DELETE /decisions/:id': {
        const ok = await this.o.store.expireDecision(Number(route.slice('/decisions/'.length)), now);
        send(res, ok ? 200 : 404, ok ? {} : { message: 'no such active decision' });
        return;
      }
      case 'GET /allowlists':
        send(res, 200, this.o.allowlists?.list() ?? []);
        return;
      case 'POST /allowlists':
        await this.allowlistAdd(req, res, now);
        return;
      case 'DELETE /allowlists': {
        const n = await this.allowlistsOrFail().removeItems(q.get('list') ?? '', [q.get('value') ?? '']);
        send(res, n > 0 ? 200 : 404, n > 0 ? {} : { message: 'no such item' });
        return;
      }
      case 'GET /report':
        await sendReport(res, this.o.store, q, now);
        return;
      case 'GET /reports':
        listReports(res, this.o.reportDir);
        return;
      case 'POST /reports':
        await generateReport(req, res, this.o.store, this.o.reportDir, now);
        return;
      case 'GET /reports/files/:name':
        reportFile(res, this.o.reportDir, route.slice('/reports/files/'.length), q);
        return;
      case 'GET /privacy':
        send(res, 200, { text: privacyText(), gdpr: this.o.gdpr !== null });
        return;
      case 'GET /gdpr/export':
        await gdprExport(res, this.gdprOrFail(), q, now);
        return;
      case 'POST /gdpr/erase':
        await gdprErase(req, res, this.gdprOrFail(), now, (l) => this.o.log?.(`${l} by '${s.user}'`));
        return;
      case 'GET /gdpr/erasures':
        gdprErasures(res, this.gdprOrFail());
        return;
      default:
        send(res, 404, { message: `no console API route ${method} ${route}` });
    }
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = req.socket.remoteAddress ?? '';
    if (!this.sessions.loginAllowed(ip)) {
      send(res, 429, { message: 'too many failed logins: wait a minute' }, { 'Retry-After': '60' });
      return;
    }
    const b = await readJson(req);
    if (!verifyUser(this.o.dataDir, str(b.user), str(b.password))) {
      this.sessions.loginFailed(ip);
      send(res, 401, { message: 'wrong user name or password' });
      return;
    }
    const s = this.sessions.create(str(b.user));
    send(res, 200, { user: s.user, csrf: s.csrf }, { 'Set-Cookie': this.sessions.cookie(s) });
  }

  private async addDecision(req: IncomingMessage, res: ServerResponse, s: Session, now: number): Promise<void> {
    if (this.ingest === null) {
      send(res, 503, { message: 'the LAPI is starting' });
      return;
    }
    const alert = manualDecision(await readJson(req), s.user, now);
    const ids = await this.ingest([alert], `console:${s.user}`);
    send(res, 201, { alertIds: ids });
  }

  private gdprOrFail(): ConsoleGdpr {
    if (this.o.gdpr === null)
      throw new ConsoleInputError('CONSOLE_NO_GDPR', 'the GDPR tools are not available on this console');
    return this.o.gdpr;
  }

  private allowlistsOrFail(): AllowlistStore {
    if (this.o.allowlists === null)
      throw new ConsoleInputError('CONSOLE_NO_ALLOWLISTS', 'allowlists are not enabled on this LAPI');
    return this.o.allowlists;
  }

  private async allowlistAdd(req: IncomingMessage, res: ServerResponse, now: number): Promise<void> {
    const al = this.allowlistsOrFail();
    const b = await readJson(req);
    const list = str(b.list) || 'console';
    if (al.get(list) === undefined) await al.create(list, 'managed from the web console');
    const expiration = str(b.expiration) ? now + durationMs('expiration', str(b.expiration)) : null;
    await al.addItems(list, [{ value: str(b.value), description: str(b.description), expiration }]);
    send(res, 201, {});
  }
}
