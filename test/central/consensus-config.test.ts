// The consensus: section loader (src/central/consensus/config.ts): defaults, durations, strict refusal of
// unknown keys and bad values with file, line and key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONSENSUS, loadConsensusConfig, parseConsensusConfig } from '../../src/central/consensus/config.js';

test('absent section: the defaults; given keys override them', () => {
  assert.deepEqual(parseConsensusConfig('server: {}\n', 'c.yaml'), { ...DEFAULT_CONSENSUS, allowlist: [] });
  const c = parseConsensusConfig(
    'other: 1\nconsensus:\n  evidence_window: 48h\n  decay: 24h\n  list_score: 2.5\n  shared_canary_share: 0.05\n' +
      '  allowlist: [45.1.0.0/16]\n',
    'c.yaml',
  );
  assert.equal(c.evidenceWindowMs, 48 * 3_600_000);
  assert.equal(c.decayMs, 24 * 3_600_000);
  assert.equal(c.sharedCanaryShare, 0.05);
  assert.equal(c.listScore, 2.5);
  assert.deepEqual(c.allowlist, ['45.1.0.0/16']);
  assert.equal(c.listCap, 15_000);
  assert.equal(c.countCustom, false);
  assert.equal(parseConsensusConfig('consensus:\n  count_custom: true\n', 'c.yaml').countCustom, true);
  assert.throws(
    () => parseConsensusConfig('consensus:\n  count_custom: yes please\n', 'c.yaml'),
    /c\.yaml:2: consensus\.count_custom: expected true or false/,
  );
});

test('unknown keys and bad values are refused with file, line and key', () => {
  assert.throws(() => parseConsensusConfig('consensus:\n  list_score: 2\n  lsit_cap: 3\n', 'c.yaml'), {
    code: 'CENTRAL_CONSENSUS_CONFIG',
    message: 'c.yaml:3: consensus.lsit_cap: unknown key',
  });
  assert.throws(
    () => parseConsensusConfig('consensus:\n  evidence_window: soon\n', 'c.yaml'),
    /c\.yaml:2: consensus\.evidence_window: expected a duration/,
  );
  assert.throws(
    () => parseConsensusConfig('consensus:\n  min_networks: -1\n', 'c.yaml'),
    /c\.yaml:2: consensus\.min_networks/,
  );
  assert.throws(() => parseConsensusConfig('consensus:\n  min_network_weight: 3\n', 'c.yaml'), /between 0 and 1/);
  assert.throws(() => parseConsensusConfig('consensus: [1]\n', 'c.yaml'), /c\.yaml:1: consensus: expected a mapping/);
  assert.throws(
    () => parseConsensusConfig('consensus:\n  base_duration: 8d\n  max_duration: 1d\n', 'c.yaml'),
    /max_duration/,
  );
  assert.throws(() => parseConsensusConfig('consensus: {a: [}\n', 'c.yaml'), /c\.yaml:1: not valid YAML/);
  // a listing may not outlive the evidence it rests on; a shorter window alone decays with it
  assert.throws(
    () => parseConsensusConfig('consensus:\n  evidence_window: 48h\n  decay: 72h\n', 'c.yaml'),
    /decay is longer than evidence_window/,
  );
  assert.equal(parseConsensusConfig('consensus:\n  evidence_window: 48h\n', 'c.yaml').decayMs, 48 * 3_600_000);
  assert.throws(() => parseConsensusConfig('consensus:\n  shared_canary_share: 2\n', 'c.yaml'), /between 0 and 1/);
});

test('reads a file, and names a missing one', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-cc-'));
  const f = path.join(dir, 'central.yaml');
  fs.writeFileSync(f, 'consensus:\n  list_cap: 3000\n');
  assert.equal(loadConsensusConfig(f).listCap, 3000);
  assert.throws(() => loadConsensusConfig(path.join(dir, 'nope.yaml')), /cannot read .*nope\.yaml: ENOENT/);
  fs.rmSync(dir, { recursive: true, force: true });
});
