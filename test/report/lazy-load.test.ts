// The report renderer's heavy dependencies (echarts/zrender for the charts, pdfkit/fontkit for the PDF) load with
// the first report rendered, not with every process that imports src/report (`picket run` does, through its
// console and report schedule: they cost it ~45 MB of RSS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../src/cli/commands/run.js', import.meta.url));
const REPORT = fileURLToPath(new URL('../../src/report/index.js', import.meta.url));
// a module resolve hook (it runs on its own thread) that names every module loaded on stderr
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    'export async function resolve(s, c, next) { const r = await next(s, c); ' +
      'process.stderr.write("LOAD " + r.url + "\\n"); return r; }',
  );
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(HOOK)});`)}`;

function loaded(script: string): string[] {
  const r = spawnSync(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOAD '))
    .map((l) => l.slice(5));
}

const HEAVY = /\/node_modules\/(echarts|zrender|pdfkit|fontkit)\//;

test('picket run and src/report load no chart or PDF library until a report is rendered', () => {
  const run = loaded(`await import(${JSON.stringify(RUN)});`);
  assert.ok(run.length > 50, `the hook sees the modules (${run.length})`);
  assert.deepEqual(
    run.filter((u) => HEAVY.test(u)),
    [],
  );
  // rendering loads them (the test would pass vacuously if the hook missed them)
  const rendered = loaded(
    `const r = await import(${JSON.stringify(REPORT)}); ` +
      `try { await r.renderReport({}, 'html'); } catch { /* an empty report may not render: loading is enough */ }`,
  );
  assert.ok(
    rendered.some((u) => /\/node_modules\/echarts\//.test(u)),
    'echarts loads for a report',
  );
});
