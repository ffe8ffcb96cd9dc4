// Shared setup of the console tests: a temp data folder with a console user made through the CLI code path,
// a real LAPI on 127.0.0.1 port 0 with the console mounted under /ui (GDPR actions on, the report folder in
// the temp folder), and a login helper returning the session cookie and CSRF token.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type PicketStore } from '../../src/store/lmdb.js';
import { openLapiStore, DEFAULT_RETENTION, type LmdbLapiStore } from '../../src/store/lapi-store.js';
import { AllowlistStore } from '../../src/store/allowlists.js';
import { startLapi, type LapiServer } from '../../src/lapi/index.js';
import { createConsole } from '../../src/console/index.js';
import { consoleCommand } from '../../src/cli/commands/console.js';
import { CHROMIUM, launchChromium } from '../chromium.js';

export const PASSWORD = 'correct horse battery';

export interface ConsoleEnv {
  dir: string;
  reportDir: string;
  env: PicketStore;
  lapiStore: LmdbLapiStore;
  allowlists: AllowlistStore;
  server: LapiServer;
  base: string;
  close(): Promise<void>;
}

export async function startConsoleEnv(prefix = 'picket-console-'): Promise<ConsoleEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const out: string[] = [];
  const code = await consoleCommand.run(['users', 'add', 'admin', '--password', PASSWORD, '--data', dir], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
  });
  assert.equal(code, 0, out.join('\n'));
  const env = openStore(dir);
  const lapiStore = openLapiStore(env);
  const allowlists = new AllowlistStore(env);
  const reportDir = path.join(dir, 'reports');
  const server = await startLapi({
    store: lapiStore,
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    profiles: [],
    allowlists,
    env: { CS_LAPI_SECRET: 'x'.repeat(64) },
    ui: createConsole({
      store: lapiStore,
      allowlists,
      dataDir: dir,
      tls: false,
      reportDir,
      gdpr: { env, retention: DEFAULT_RETENTION, afterErase: () => lapiStore.sync() },
    }),
  });
  return {
    dir,
    reportDir,
    env,
    lapiStore,
    allowlists,
    server,
    base: server.url.replace(/\/$/, ''),
    async close() {
      await server.close();
      await lapiStore.close();
      await env.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function login(base: string, user = 'admin', password = PASSWORD): Promise<Response> {
  return fetch(`${base}/ui/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
}

/** a logged-in session: its cookie and CSRF token, and fetch helpers carrying them */
export async function session(base: string) {
  const r = await login(base);
  assert.equal(r.status, 200);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrf } = (await r.json()) as { csrf: string };
  return {
    cookie,
    csrf,
    get: (p: string) => fetch(`${base}/ui/api${p}`, { headers: { cookie } }),
    post: (p: string, body: unknown, token: string | null = csrf) =>
      fetch(`${base}/ui/api${p}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...(token ? { 'x-csrf-token': token } : {}) },
        body: JSON.stringify(body),
      }),
  };
}

export const ARTEFACTS = path.resolve('test/artefacts/console');

type Page = import('playwright-core').Page;

/** why a browser test cannot run here (null: it can) */
export function browserMissing(uiDir: string): string | null {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!fs.existsSync(path.join(uiDir, 'index.html'))) return `${uiDir} is missing: run npm run build`;
  return null;
}

/**
 * Debian's chromium (playwright-core, no browser download) on a fresh page; any request off `base` is aborted
 * and fails the test, as does a content-security-policy violation reported in the page's console.
 */
export async function withPage(base: string, f: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const outside: string[] = [];
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (!u.startsWith(base + '/')) {
        outside.push(u);
        return route.abort();
      }
      return route.continue();
    });
    await f(page);
    assert.deepEqual(outside, []);
    assert.deepEqual(
      consoleErrors.filter((e) => /Content Security Policy/i.test(e)),
      [],
    );
  } finally {
    await browser.close();
  }
}

/** logs in with the keyboard only: Tab to each field, Enter submits */
export async function keyboardLogin(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/ui/`);
  await page.getByRole('heading', { name: 'Picket console' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'user');
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}
