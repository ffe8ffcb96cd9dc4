// Report files as a holder of personal data: the months whose report names the address are listed and
// erased (all three formats), the others stay.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { reportFilesHolder } from '../../src/gdpr/report-files.js';
import { tempDir } from '../cli/helpers.js';

test('months mentioning the address: listed, then their html/pdf/json deleted', async () => {
  const dir = tempDir('picket-report-files-');
  try {
    for (const [month, ip] of [
      ['2026-10', '192.0.2.50'],
      ['2026-11', '192.0.2.5'],
    ]) {
      fs.writeFileSync(path.join(dir, `picket-report-${month}.json`), JSON.stringify({ topSources: [{ value: ip }] }));
      fs.writeFileSync(path.join(dir, `picket-report-${month}.html`), `<td>${ip}</td>`);
      fs.writeFileSync(path.join(dir, `picket-report-${month}.pdf`), '%PDF-1.3');
    }
    fs.writeFileSync(path.join(dir, 'notes.txt'), '192.0.2.5');
    const h = reportFilesHolder(dir);
    const found = await h.find('192.0.2.5');
    assert.deepEqual(
      found.map((i) => [i.kind, i.id, (i.data as { files: string[] }).files.length]),
      [['report', '2026-11', 3]],
    );
    assert.deepEqual(await h.erase('192.0.2.5'), { filesDeleted: 3 });
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      'notes.txt',
      'picket-report-2026-10.html',
      'picket-report-2026-10.json',
      'picket-report-2026-10.pdf',
    ]);
    assert.deepEqual(await h.find('192.0.2.5'), []);
    assert.deepEqual(await reportFilesHolder(path.join(dir, 'missing')).find('192.0.2.5'), [], 'no folder: nothing');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
