// Picket's default content against generated logs with known attackers (shared/tools/gen-logs.mjs):
// recall >= 95% of the attacker IPs and no benign IP flagged. Skipped when the generator is not there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runGroundTruth, formatResult } from '../../bench/ground-truth.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const GEN = process.env.PICKET_GEN_LOGS ?? sharedPath('tools', 'gen-logs.mjs');
const HAVE_GEN = fs.existsSync(GEN);

function generate(dir: string, kind: string, lines: number, seed: string, extra: string[] = []): string {
  const out = path.join(dir, `${kind}-${seed}.log`);
  const r = spawnSync(
    process.execPath,
    [GEN, '--kind', kind, '--lines', String(lines), '--seed', seed, '--out', out, ...extra],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `gen-logs failed: ${r.stderr}`);
  return out;
}

const CASES: Array<{ kind: string; type: string; lines: number; seed: string; extra?: string[] }> = [
  { kind: 'mixed', type: 'syslog', lines: 50000, seed: '7' },
  { kind: 'ssh', type: 'syslog', lines: 30000, seed: '11', extra: ['--ts', 'iso'] },
  { kind: 'nginx', type: 'nginx', lines: 30000, seed: '5' },
];

for (const c of CASES) {
  test(
    `ground truth: ${c.kind} ${c.lines} lines seed ${c.seed}${c.extra ? ' ' + c.extra.join(' ') : ''}`,
    { skip: HAVE_GEN ? false : skipUnless(GEN) },
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-gt-'));
      try {
        const log = generate(dir, c.kind, c.lines, c.seed, c.extra);
        const r = runGroundTruth({ log, type: c.type });
        const t = r.truth;
        assert.ok(t, 'truth file read');
        const report = formatResult(r);
        assert.ok(t.attackers > 0, report);
        assert.equal(r.parseErrors, 0, report);
        assert.ok(t.recall >= 0.95, `recall ${t.recall}\n${report}`);
        assert.deepEqual(t.falsePositives, [], report);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
