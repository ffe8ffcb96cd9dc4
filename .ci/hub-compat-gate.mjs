// Hub compatibility gate: scores the developer hub-test set with `picket hubtest run` and fails
// when the number of passing tests drops below the best score recorded in .ci/hub-compat-best.json.
// Run with --record to raise the recorded best after an improvement.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '..', 'shared');
const bestFile = path.join(root, '.ci', 'hub-compat-best.json');
const record = process.argv.includes('--record');

const res = spawnSync(process.execPath, [
  path.join(shared, 'tools', 'hubtest-score.mjs'),
  '--tests', path.join(shared, 'hub-tests'),
  '--jobs', '2',
  '--cmd', `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(root, 'bin', 'picket.js'))} hubtest run --hub HUBDIR --test TESTDIR --json`,
], { encoding: 'utf8', maxBuffer: 64 << 20 });
const out = res.stdout ?? '';
process.stdout.write(out.split('\n').filter((l) => !l.startsWith('PASS')).join('\n') + '\n');
if (res.stderr) process.stderr.write(res.stderr);
const m = /hub-compat: (\d+)\/(\d+) passed/.exec(out);
if (!m) { console.error('hub-compat gate: no score line from hubtest-score.mjs'); process.exit(1); }
const passed = Number(m[1]); const total = Number(m[2]);
const best = fs.existsSync(bestFile) ? JSON.parse(fs.readFileSync(bestFile, 'utf8')) : { passed: 0, total };
if (record) {
  if (passed > best.passed) fs.writeFileSync(bestFile, JSON.stringify({ passed, total, date: new Date().toISOString().slice(0, 10) }, null, 2) + '\n');
  console.log(`hub-compat gate: recorded best ${Math.max(passed, best.passed)}/${total}`);
} else if (passed < best.passed) {
  console.error(`hub-compat gate: FAILED, ${passed}/${total} passed, below the recorded best ${best.passed}/${best.total}`);
  process.exit(1);
} else {
  console.log(`hub-compat gate: ok, ${passed}/${total} passed (recorded best ${best.passed}/${best.total})`);
}
