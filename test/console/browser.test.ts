// The console's reports and privacy pages in Debian's chromium (playwright-core): a month's report generated
// from the page and viewed in its sandboxed frame (charts drawn, the source named), a PDF downloaded; an
// address exported (shown, and the JSON downloaded) and erased (typed confirmation, erasure record shown,
// the ban withdrawn in the running LAPI); and keyboard-only use: Tab reaches every control of every main
// page, Enter opens pages and runs actions. Screenshots are kept in test/artefacts/console.

import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { UI_DIR } from '../../src/console/index.js';
import { manualDecision } from '../../src/console/data.js';
import { ARTEFACTS, browserMissing, keyboardLogin, startConsoleEnv, withPage, type ConsoleEnv } from './setup.js';

const IP = '192.0.2.44';
const PAGES = ['Dashboard', 'Alerts', 'Decisions', 'Allowlists', 'Reports', 'Privacy'];
let c: ConsoleEnv;
const month = new Date().toISOString().slice(0, 7);

before(async () => {
  c = await startConsoleEnv('picket-console-browser-');
  const now = Date.now();
  await c.server.ingestAlerts([manualDecision({ value: IP, reason: 'crowdsecurity/http-probing' }, 'x', now)], 'w');
});

after(async () => {
  await c?.close();
});

/** keyboard only: Tab (round the page if need be) to the page's button in the navigation, then Enter */
async function openPage(page: Page, name: string): Promise<void> {
  const atButton = () =>
    page.evaluate((n) => {
      const e = document.activeElement;
      return e?.closest('nav') !== null && e?.textContent === n;
    }, name);
  for (let i = 0; i < 200 && !(await atButton()); i++) await page.keyboard.press('Tab');
  assert.ok(await atButton(), `Tab reaches ${name}`);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Tab from the top through the whole page; the controls Tab never focused (their text or name) */
async function unreachable(page: Page): Promise<string[]> {
  // a frame still loading has nothing focusable yet and Tab passes over it: wait for every frame first
  for (const f of page.frames()) await f.waitForLoadState('load');
  const total = await page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, iframe, [tabindex]:not([tabindex="-1"])';
    const els = [...document.querySelectorAll<HTMLElement>(sel)].filter(
      (e) => !(e as HTMLButtonElement).disabled && e.getClientRects().length > 0,
    );
    els.forEach((e, i) => e.setAttribute('data-kb', String(i)));
    (document.activeElement as HTMLElement | null)?.blur();
    return els.length;
  });
  const seen = new Set<string>();
  // Tab starts after the element focused last (blur keeps Chrome's starting point) and may leave the document
  // before wrapping to its top: go round up to twice, stopping once every control was focused
  for (let i = 0; i < 2 * total + 10 && seen.size < total; i++) {
    await page.keyboard.press('Tab');
    const k = await page.evaluate(() => document.activeElement?.getAttribute('data-kb'));
    if (k) seen.add(k);
  }
  return page.evaluate(
    (got) =>
      [...document.querySelectorAll<HTMLElement>('[data-kb]')]
        .filter((e) => !got.includes(e.getAttribute('data-kb')!))
        .map((e) => e.getAttribute('name') ?? e.getAttribute('title') ?? e.textContent ?? e.tagName),
    [...seen],
  );
}

/** a logged-in chromium page (skipped with the reason when chromium or the built console is missing) */
async function loggedIn(t: TestContext, f: (page: Page) => Promise<void>): Promise<void> {
  const missing = browserMissing(UI_DIR);
  if (missing !== null) return t.skip(missing);
  await withPage(c.base, async (page) => {
    await keyboardLogin(page, c.base);
    await f(page);
  });
}

/** clicks the link and returns the file the browser downloads: its suggested name and bytes */
async function download(page: Page, link: string): Promise<{ name: string; body: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
  return { name: dl.suggestedFilename(), body: fs.readFileSync((await dl.path())!) };
}

test('chromium: a report generated and viewed in the page, a PDF downloaded', async (t) => {
  await loggedIn(t, async (page) => {
    await page.getByRole('button', { name: 'Reports', exact: true }).click();
    const form = page.getByRole('form', { name: 'generate a report' });
    await form.getByLabel('Month').fill(month);
    await form.getByRole('button', { name: 'Generate report' }).click();
    const frame = page.frameLocator(`iframe[title="report picket-report-${month}.html"]`);
    await frame.locator('svg').first().waitFor({ timeout: 20_000 });
    // drawn with the data: the charts have shapes, the top sources name the address
    assert.ok((await frame.locator('svg path, svg rect').count()) > 10);
    await frame.getByText(IP).first().waitFor();
    assert.ok(fs.existsSync(path.join(c.reportDir, `picket-report-${month}.pdf`)));
    await page.screenshot({ path: path.join(ARTEFACTS, 'reports.png'), fullPage: true });
    const pdf = await download(page, `PDF of ${month}`);
    assert.equal(pdf.name, `picket-report-${month}.pdf`);
    assert.ok(pdf.body.subarray(0, 5).equals(Buffer.from('%PDF-')));
  });
});

test('chromium: GDPR export (shown, JSON downloaded) and erase with confirmation from the privacy page', async (t) => {
  await loggedIn(t, async (page) => {
    await page.getByRole('button', { name: 'Privacy', exact: true }).click();
    const ex = page.getByRole('form', { name: 'export an address' });
    await ex.getByLabel('IP address').fill(IP);
    await ex.getByRole('button', { name: 'Show data held' }).click();
    const held = page.getByRole('table', { name: `data held about ${IP}` });
    await held.getByRole('cell', { name: 'alert', exact: true }).waitFor();
    await held.getByRole('cell', { name: 'decision', exact: true }).waitFor();
    const json = await download(page, `Download JSON export of ${IP}`);
    const x = JSON.parse(json.body.toString()) as { address: string; items: unknown[] };
    assert.equal(x.address, IP);
    assert.ok(x.items.length >= 2);
    await page.screenshot({ path: path.join(ARTEFACTS, 'privacy-export.png'), fullPage: true });

    const er = page.getByRole('form', { name: 'erase an address' });
    await er.getByLabel('IP address').fill(IP);
    await er.getByLabel('Type it again to confirm').fill('192.0.2.45');
    await er.getByRole('button', { name: 'Erase address' }).click();
    await page.getByText('confirm: type the address again').waitFor();
    assert.equal(c.lapiStore.queryDecisions({ value: IP }, Date.now()).length, 1, 'not erased unconfirmed');
    await er.getByLabel('IP address').fill(IP);
    await er.getByLabel('Type it again to confirm').fill(IP);
    await er.getByRole('button', { name: 'Erase address' }).click();
    const rec = page.getByRole('table', { name: /^erasure \d{4}-/ });
    await rec.waitFor();
    assert.ok(!(await rec.textContent())!.includes(IP));
    assert.equal(c.lapiStore.queryDecisions({ value: IP }, Date.now()).length, 0, 'the ban is withdrawn');
    assert.equal(await page.getByRole('table', { name: 'erasure records' }).locator('tbody tr').count(), 1);
    await page.screenshot({ path: path.join(ARTEFACTS, 'privacy-erase.png'), fullPage: true });
  });
});

test('chromium: keyboard only: Tab reaches every control of every main page, Enter opens and acts', async (t) => {
  await loggedIn(t, async (page) => {
    await c.server.ingestAlerts([manualDecision({ value: '192.0.2.60' }, 'x', Date.now())], 'w');
    for (const name of PAGES) {
      await openPage(page, name);
      if (name === 'Reports') {
        // Enter on the focused Generate button, then on View: the report frame is part of the Tab order
        await page.getByRole('button', { name: 'Generate report' }).focus();
        await page.keyboard.press('Enter');
        await page.locator('iframe').waitFor({ timeout: 20_000 });
      }
      if (name === 'Decisions') await page.getByRole('button', { name: 'Delete decision 192.0.2.60' }).waitFor();
      assert.deepEqual(await unreachable(page), [], `every control of ${name} is reached by Tab`);
    }
    // Enter on a focused action works: delete the decision with the keyboard
    await openPage(page, 'Decisions');
    await page.getByRole('button', { name: 'Delete decision 192.0.2.60' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Delete decision 192.0.2.60' }).waitFor({ state: 'detached' });
    assert.equal(c.lapiStore.queryDecisions({ value: '192.0.2.60' }, Date.now()).length, 0);
  });
});
