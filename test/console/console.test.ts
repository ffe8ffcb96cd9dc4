// The web console against a real LAPI (./setup.ts: temp data folder, loopback port 0) with a user made by the CLI
// code path: HTTP guards (unauthenticated API refused, CSRF, cookie flags, CSP, login rate limit) and, in Debian's
// chromium driven by playwright-core, log in by keyboard, see a new alert appear without reload, add and
// delete a decision, add an allowlist entry; any request off the LAPI's origin fails the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLapiStore } from '../../src/store/lapi-store.js';
import { startLapi } from '../../src/lapi/index.js';
import { createConsole, UI_DIR } from '../../src/console/index.js';
import { manualDecision } from '../../src/console/data.js';
import { LOGIN_MAX_FAILURES } from '../../src/console/session.js';
import {
  ARTEFACTS,
  PASSWORD,
  browserMissing,
  keyboardLogin,
  login as loginAt,
  startConsoleEnv,
  withPage,
  type ConsoleEnv,
} from './setup.js';

let c: ConsoleEnv;
let lapiStore: ReturnType<typeof openLapiStore>;
const base = (): string => c.base;
const login = (user?: string, password?: string): Promise<Response> => loginAt(base(), user, password);

before(async () => {
  c = await startConsoleEnv();
  assert.equal(fs.statSync(path.join(c.dir, 'console-users.json')).mode & 0o777, 0o600);
  assert.ok(!fs.readFileSync(path.join(c.dir, 'console-users.json'), 'utf8').includes(PASSWORD));
  lapiStore = c.lapiStore;
});

after(async () => {
  await c.close();
});

test('unauthenticated API refused; CSP and security headers on every console response', async () => {
  const r = await fetch(`${base()}/ui/api/alerts`);
  assert.equal(r.status, 401);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  // the CrowdSec-compatible routes are untouched
  assert.equal((await fetch(`${base()}/v1/decisions`)).status, 403);
});

test('login sets an HttpOnly SameSite=Strict cookie; unsafe requests need the CSRF token', async () => {
  assert.equal((await login('admin', 'wrong password')).status, 401);
  const r = await login();
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.doesNotMatch(cookie, /Secure/); // plain HTTP here; Secure under TLS
  const { csrf } = (await r.json()) as { csrf: string };
  const jar = cookie.split(';')[0]!;
  const add = (token?: string) =>
    fetch(`${base()}/ui/api/decisions`, {
      method: 'POST',
      headers: { cookie: jar, 'content-type': 'application/json', ...(token ? { 'x-csrf-token': token } : {}) },
      body: JSON.stringify({ value: '192.0.2.10', duration: '1h' }),
    });
  assert.equal((await add()).status, 403);
  assert.equal((await add('not-the-token')).status, 403);
  assert.equal((await add(csrf)).status, 201);
  const list = (await (
    await fetch(`${base()}/ui/api/decisions?ip=192.0.2.10`, { headers: { cookie: jar } })
  ).json()) as { value: string }[];
  assert.deepEqual(
    list.map((d) => d.value),
    ['192.0.2.10'],
  );
});

test('reports download (json, html) and the privacy notice, for a logged-in user only', async () => {
  const r = await login();
  const jar = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const month = new Date().toISOString().slice(0, 7);
  assert.equal((await fetch(`${base()}/ui/api/report?month=${month}&format=json`)).status, 401);
  const j = await fetch(`${base()}/ui/api/report?month=${month}&format=json`, { headers: { cookie: jar } });
  assert.equal(j.status, 200);
  assert.match(
    j.headers.get('content-disposition') ?? '',
    new RegExp(`attachment; filename="picket-report-${month}.json"`),
  );
  const data = (await j.json()) as { summary: unknown };
  assert.ok(data.summary !== undefined);
  const h = await fetch(`${base()}/ui/api/report?month=${month}&format=html`, { headers: { cookie: jar } });
  assert.equal(h.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await h.text(), /<svg/);
  assert.equal((await fetch(`${base()}/ui/api/report?month=2026-13`, { headers: { cookie: jar } })).status, 400);
  const p = (await (await fetch(`${base()}/ui/api/privacy`, { headers: { cookie: jar } })).json()) as { text: string };
  assert.match(p.text, /What leaves the machine/);
});

test('login is rate-limited per client address', async () => {
  // a fresh console on its own LAPI so the other tests' logins are not counted
  const own = await startLapi({
    store: lapiStore,
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: c.dir,
    profiles: [],
    env: { CS_LAPI_SECRET: 'x'.repeat(64) },
    ui: createConsole({ store: lapiStore, allowlists: null, dataDir: c.dir, tls: false }),
  });
  try {
    const post = (password: string) =>
      fetch(`${own.url.replace(/\/$/, '')}/ui/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password }),
      });
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) assert.equal((await post('bad password')).status, 401);
    assert.equal((await post('bad password')).status, 429);
    assert.equal((await post(PASSWORD)).status, 429); // even the right password waits
  } finally {
    await own.close();
  }
});

test('chromium: keyboard login, live alert, decision add/delete, allowlist entry', async (t) => {
  const missing = browserMissing(UI_DIR);
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  await withPage(base(), async (page) => {
    await keyboardLogin(page, base());
    await page.screenshot({ path: path.join(ARTEFACTS, 'dashboard.png') });
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    // a watcher's alert arrives while the page is open: it shows up without a reload
    const alert = manualDecision({ value: '198.51.100.77', reason: 'crowdsecurity/ssh-bf' }, 'x', Date.now());
    await c.server.ingestAlerts([alert], 'watcher-1');
    await page.getByRole('cell', { name: '198.51.100.77' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTEFACTS, 'alerts.png') });

    await page.getByRole('button', { name: 'Decisions', exact: true }).click();
    const form = page.getByRole('form', { name: 'add a decision' });
    await form.getByLabel('IP or range').fill('203.0.113.5');
    await form.getByLabel('Duration').fill('2h');
    await form.getByRole('button', { name: 'Add decision' }).click();
    await page.getByRole('button', { name: 'Delete decision 203.0.113.5' }).waitFor();
    assert.equal(lapiStore.queryDecisions({ value: '203.0.113.5' }, Date.now()).length, 1);
    await page.screenshot({ path: path.join(ARTEFACTS, 'decisions.png') });
    await page.getByRole('button', { name: 'Delete decision 203.0.113.5' }).click();
    await page.getByRole('button', { name: 'Delete decision 203.0.113.5' }).waitFor({ state: 'detached' });
    assert.equal(lapiStore.queryDecisions({ value: '203.0.113.5' }, Date.now()).length, 0);

    await page.getByRole('button', { name: 'Allowlists', exact: true }).click();
    const al = page.getByRole('form', { name: 'add an allowlist entry' });
    await al.getByLabel('IP or range').fill('10.1.0.0/16');
    await al.getByLabel('Description').fill('office');
    await al.getByRole('button', { name: 'Add entry' }).click();
    await page.getByRole('button', { name: 'Remove 10.1.0.0/16' }).waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'allowlists.png') });

    await page.getByRole('button', { name: 'Privacy', exact: true }).click();
    await page.getByText('What leaves the machine').first().waitFor();
    await page.getByRole('button', { name: 'Reports', exact: true }).click();
    await page.getByRole('button', { name: 'Download report' }).waitFor();

    await page.getByRole('button', { name: 'Dashboard', exact: true }).click();
    await page.getByRole('heading', { name: 'Top scenarios' }).waitFor();
    await page.getByRole('cell', { name: 'crowdsecurity/ssh-bf' }).waitFor();
    await page.screenshot({ path: path.join(ARTEFACTS, 'console.png'), fullPage: true });
  });
});
