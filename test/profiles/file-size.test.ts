// Configuration and content files have a size limit (issue 11 §5): a 100 MB profiles or acquisition file is
// refused at once with an error naming the file and the limit (a sparse file: no disk used).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfilesFile } from '../../src/profiles/index.js';
import { loadAcquisitionFile } from '../../src/acquisition/config.js';
import { readConfigText } from '../../src/core/config-file.js';

test('a 100 MB profiles or acquisition file is refused naming the file and the limit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-bigfile-'));
  try {
    const big = path.join(dir, 'profiles.yaml');
    fs.writeFileSync(big, 'name: x\n');
    fs.truncateSync(big, 100 * 1024 * 1024);
    const limit = /profiles\.yaml is 104857600 bytes, larger than the 10485760-byte limit/;
    assert.throws(() => readConfigText(big), limit);
    assert.throws(() => loadProfilesFile(big), limit);
    assert.throws(() => loadAcquisitionFile(big), limit);
    const small = path.join(dir, 'ok.yaml');
    fs.writeFileSync(small, 'a: 1\n');
    assert.equal(readConfigText(small), 'a: 1\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
