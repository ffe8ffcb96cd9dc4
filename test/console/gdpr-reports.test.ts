// The console's privacy (GDPR) and reports API against a real LAPI: export shows what the store, the
// allowlists and the report folder hold about an address (and downloads as JSON); erase needs a session,
// the CSRF token and the address typed again, withdraws the ban at once in the running LAPI, deletes the
// report files naming it and answers the erasure record (hash, never the address). Reports: a month
// generated into the folder, listed, viewed inline under the report's own CSP, downloaded; bad names and
// months refused with 4xx naming the field.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { manualDecision } from '../../src/console/data.js';
import { REPORT_CSP } from '../../src/console/reports.js';
import { session, startConsoleEnv, type ConsoleEnv } from './setup.js';

const IP = '198.51.100.23';
const OTHER = '198.51.100.24';
let c: ConsoleEnv;

before(async () => {
  c = await startConsoleEnv('picket-console-gdpr-');
  const now = Date.now();
  await c.server.ingestAlerts(
    [
      manualDecision({ value: IP, reason: 'crowdsecurity/ssh-bf' }, 'x', now),
      manualDecision({ value: OTHER, reason: 'crowdsecurity/http-probing' }, 'x', now),
    ],
    'watcher-1',
  );
  await c.allowlists.create('office', 'test');
  await c.allowlists.addItems('office', [{ value: IP, description: 'mine', expiration: null }]);
});

after(async () => {
  await c?.close();
});

test('reports: generate a month into the folder, list, view inline under the report CSP, download', async () => {
  const s = await session(c.base);
  assert.equal((await fetch(`${c.base}/ui/api/reports`)).status, 401);
  assert.deepEqual(((await (await s.get('/reports')).json()) as { months: unknown[] }).months, []);
  const month = new Date().toISOString().slice(0, 7);
  assert.equal((await s.post('/reports', { month }, null)).status, 403, 'CSRF token needed');
  const bad = await s.post('/reports', { month: '2026-13' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /month '2026-13'/);
  const future = await s.post('/reports', { month: '2999-01' });
  assert.equal(future.status, 400);
  assert.match(((await future.json()) as { message: string }).message, /month: 2999-01 has not begun/);
  const made = await s.post('/reports', { month });
  assert.equal(made.status, 201);
  const list = (await (await s.get('/reports')).json()) as {
    dir: string;
    months: { month: string; files: { name: string; format: string }[] }[];
  };
  assert.equal(list.dir, c.reportDir);
  assert.deepEqual(
    list.months.map((m) => [m.month, m.files.map((f) => f.format).sort()]),
    [[month, ['html', 'json', 'pdf']]],
  );
  const view = await s.get(`/reports/files/picket-report-${month}.html`);
  assert.equal(view.status, 200);
  assert.equal(view.headers.get('content-security-policy'), REPORT_CSP);
  assert.equal(view.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.match(view.headers.get('content-disposition') ?? '', /^inline/);
  const html = await view.text();
  assert.match(html, /<svg/);
  assert.ok(html.includes(IP), 'the top sources name the address');
  const dl = await s.get(`/reports/files/picket-report-${month}.html?download=1`);
  assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; filename="picket-report-/);
  assert.match(dl.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, 'the console CSP');
  const pdf = await s.get(`/reports/files/picket-report-${month}.pdf`);
  assert.match(pdf.headers.get('content-disposition') ?? '', /^attachment/);
  assert.ok(
    Buffer.from(await pdf.arrayBuffer())
      .subarray(0, 5)
      .equals(Buffer.from('%PDF-')),
  );
  for (const name of ['..%2F..%2Fconsole-users.json', 'picket-report-2026-11.exe', '.'])
    assert.equal((await s.get(`/reports/files/${name}`)).status, 400, name);
  assert.equal((await s.get('/reports/files/picket-report-1999-01.json')).status, 404);
});

test('GDPR export: every place holding the address, shown and downloadable, logged-in users only', async () => {
  const s = await session(c.base);
  assert.equal((await fetch(`${c.base}/ui/api/gdpr/export?ip=${IP}`)).status, 401);
  const bad = await s.get('/gdpr/export?ip=not-an-ip');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /'not-an-ip' is not an IP address/);
  const x = (await (await s.get(`/gdpr/export?ip=${IP}`)).json()) as { address: string; summary: object };
  assert.equal(x.address, IP);
  const month = new Date().toISOString().slice(0, 7);
  if (!fs.existsSync(path.join(c.reportDir, `picket-report-${month}.json`))) await s.post('/reports', { month });
  const again = (await (await s.get(`/gdpr/export?ip=${IP}`)).json()) as { summary: Record<string, number> };
  assert.deepEqual(again.summary, { alert: 1, decision: 1, 'allowlist-item': 1, report: 1 });
  const dl = await s.get(`/gdpr/export?ip=${IP}&download=1`);
  assert.equal(dl.headers.get('content-disposition'), `attachment; filename="picket-gdpr-${IP}.json"`);
  assert.equal(((await dl.json()) as { address: string }).address, IP);
});

test('GDPR erase: CSRF and typed confirmation, applied at once, record without the address', async () => {
  const s = await session(c.base);
  const month = new Date().toISOString().slice(0, 7);
  if (!fs.existsSync(path.join(c.reportDir, `picket-report-${month}.json`))) await s.post('/reports', { month });
  assert.equal(c.lapiStore.queryDecisions({ value: IP }, Date.now()).length, 1);
  assert.equal((await s.post('/gdpr/erase', { ip: IP, confirm: IP }, null)).status, 403);
  assert.equal((await s.post('/gdpr/erase', { ip: IP, confirm: IP }, 'wrong')).status, 403);
  const unconfirmed = await s.post('/gdpr/erase', { ip: IP, confirm: OTHER });
  assert.equal(unconfirmed.status, 400);
  assert.match(((await unconfirmed.json()) as { message: string }).message, /^confirm: /);
  assert.equal(c.lapiStore.queryDecisions({ value: IP }, Date.now()).length, 1, 'nothing erased yet');
  const r = await s.post('/gdpr/erase', { ip: IP, confirm: IP });
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.ok(!text.includes(IP), 'the record does not name the address');
  const rec = JSON.parse(text) as { id: string; addressHash: string; counts: Record<string, Record<string, number>> };
  assert.match(rec.addressHash, /^[0-9a-f]{64}$/);
  assert.equal(rec.counts.store!.alertsDeleted, 1);
  assert.equal(rec.counts.store!.decisionsWithdrawn, 1);
  assert.equal(rec.counts.allowlists!.itemsRemoved, 1);
  assert.equal(rec.counts['report files']!.filesDeleted, 3);
  // the running LAPI's index follows at once: no active ban left for bouncers
  assert.equal(c.lapiStore.queryDecisions({ value: IP }, Date.now()).length, 0);
  assert.equal(c.lapiStore.queryDecisions({ value: OTHER }, Date.now()).length, 1, 'the other address stays');
  const after = (await (await s.get(`/gdpr/export?ip=${IP}`)).json()) as {
    items: { kind: string }[];
    erasures: { id: string }[];
  };
  assert.deepEqual(
    after.items.map((i) => i.kind),
    ['decision'],
    'only the withdrawn ban, kept 24 h for bouncer streams',
  );
  assert.deepEqual(
    after.erasures.map((e) => e.id),
    [rec.id],
  );
  const list = (await (await s.get('/gdpr/erasures')).json()) as { id: string }[];
  assert.deepEqual(
    list.map((e) => e.id),
    [rec.id],
  );
  assert.deepEqual(fs.readdirSync(c.reportDir), [], "the month's report files named the address");
});
