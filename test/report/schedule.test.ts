// The monthly schedule: last month's report written to the folder once (the store remembers the month
// done), the next month at the next month's turn, the notification hook handed the files, a folder that
// cannot be written retried later; the config's `report` keys (strict); and `picket run` with a config
// that asks for the report writes it to the folder on start.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fillTwoMonths, NOW, type Filled } from './fixture.js';
import { ReportSchedule, registerReportSender, STATE_KEY, type ReportFile } from '../../src/report/schedule.js';
import { parseConfig, ConfigError } from '../../src/config/config.js';
import { eventually, startPicket, tempDir } from '../cli/helpers.js';
import type { ReportData } from '../../src/report/index.js';

let f: Filled;
let dir: string;

before(async () => {
  f = await fillTwoMonths({ nov: 40, oct: 10 });
  dir = tempDir('picket-report-out-');
});

after(async () => {
  registerReportSender(null);
  await f?.env.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('last month once, remembered in the store; the next month at its turn; files to the sender', async () => {
  const logs: string[] = [];
  const clock = { now: NOW };
  const out = path.join(dir, 'reports');
  const sched = new ReportSchedule({
    store: f.env.store,
    source: f.env.lapi,
    config: { schedule: 'monthly', outputDir: out, notification: 'ops-mail' },
    log: (l) => logs.push(l),
    clock: () => clock.now,
  });
  let files = await sched.check();
  assert.deepEqual(
    files!.map((x) => path.basename(x.path)),
    ['picket-report-2026-11.html', 'picket-report-2026-11.pdf', 'picket-report-2026-11.json'],
  );
  const json = JSON.parse(fs.readFileSync(path.join(out, 'picket-report-2026-11.json'), 'utf8')) as ReportData;
  assert.equal(json.summary.alerts, 40);
  assert.ok(fs.readFileSync(path.join(out, 'picket-report-2026-11.pdf')).subarray(0, 5).equals(Buffer.from('%PDF-')));
  assert.equal(f.env.store.db('jobState').get(STATE_KEY), '2026-11');
  assert.ok(
    logs.some((l) => /notification 'ops-mail' not sent: no notification sender/.test(l)),
    logs.join('\n'),
  );
  assert.equal(await sched.check(), null, 'done already');
  // a month later, with a sender registered
  const sent: { name: string; files: ReportFile[]; subject: string }[] = [];
  registerReportSender({
    send: async (name, fl, subject) => {
      sent.push({ name, files: fl, subject });
    },
  });
  clock.now = Date.UTC(2027, 0, 1, 0, 30);
  files = await sched.check();
  assert.equal(files!.length, 3);
  assert.equal(f.env.store.db('jobState').get(STATE_KEY), '2026-12');
  assert.deepEqual(
    sent.map((s) => [s.name, s.subject, s.files.length]),
    [['ops-mail', 'Picket monthly report 2026-12', 3]],
  );
  assert.deepEqual(
    fs
      .readdirSync(out)
      .sort()
      .filter((n) => n.endsWith('.tmp')),
    [],
  );
});

test('a folder that cannot be written: logged, not remembered, tried again', async () => {
  const logs: string[] = [];
  const blocker = path.join(dir, 'not-a-folder');
  fs.writeFileSync(blocker, 'x');
  await f.env.store.db('jobState').remove(STATE_KEY);
  const sched = new ReportSchedule({
    store: f.env.store,
    source: f.env.lapi,
    config: { schedule: 'monthly', outputDir: blocker },
    log: (l) => logs.push(l),
    clock: () => NOW,
  });
  assert.equal(await sched.check(), null);
  assert.match(logs.join('\n'), /report 2026-11: not written \(.*\); next try in an hour/);
  assert.equal(f.env.store.db('jobState').get(STATE_KEY), undefined);
});

test('config: report keys are checked, errors name the line and key', () => {
  const c = parseConfig(
    'report:\n  schedule: monthly\n  output_dir: /var/lib/picket/reports\n  notification: ops\n',
    'c.yaml',
  );
  assert.deepEqual(c.report, { schedule: 'monthly', outputDir: '/var/lib/picket/reports', notification: 'ops' });
  const bad: [string, RegExp][] = [
    [
      'report:\n  schedule: weekly\n  output_dir: /x\n',
      /c\.yaml:2: report\.schedule: 'weekly': expected monthly or off/,
    ],
    ['report:\n  schedule: monthly\n  outputdir: /x\n', /c\.yaml:3: report\.outputdir: unknown key/],
    ['report:\n  schedule: monthly\n', /report\.output_dir: missing/],
    ['report:\n  output_dir: /x\n', /report\.schedule: missing/],
  ];
  for (const [text, re] of bad)
    assert.throws(
      () => parseConfig(text, 'c.yaml'),
      (e) => e instanceof ConfigError && re.test(e.message),
      text,
    );
});

test("picket run with report.schedule monthly writes last month's report to the folder", async () => {
  const out = path.join(dir, 'run-reports');
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, `report:\n  schedule: monthly\n  output_dir: ${out}\n`);
  const run = await startPicket(['--no-agent', '--metrics', 'off', '--config', cfg]);
  try {
    const d = new Date();
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    await eventually(async () => fs.existsSync(path.join(out, `picket-report-${last}.json`)), 'the report files');
    const json = JSON.parse(fs.readFileSync(path.join(out, `picket-report-${last}.json`), 'utf8')) as ReportData;
    assert.equal(json.month, last);
    assert.equal(json.summary.alerts, 0);
  } finally {
    assert.equal(await run.stop(), 0, run.stderr());
    fs.rmSync(run.dir, { recursive: true, force: true });
  }
});
