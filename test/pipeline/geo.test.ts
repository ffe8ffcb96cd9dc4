import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadContent } from '../../src/pipeline/content.js';
import { Event, newStrMap } from '../../src/core/event.js';

test('agent content enriches with the shipped GeoIP/AS data when the data dir has no GeoLite2 files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-geo-'));
  fs.mkdirSync(path.join(dir, 'parsers', 's00-raw'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'parsers', 's00-raw', 'geo.yaml'),
    [
      'name: test/geo',
      'description: geo enrichment from the first address of the line',
      'filter: "1 == 1"',
      'grok:',
      '  pattern: "^%{IP:ip}"',
      '  apply_on: Line.Raw',
      'statics:',
      '  - method: GeoIpASN',
      '    expression: evt.Parsed.ip',
      '  - method: GeoIpCity',
      '    expression: evt.Parsed.ip',
      '  - meta: asn',
      '    expression: evt.Enriched.ASNNumber',
      '  - meta: country',
      '    expression: evt.Enriched.IsoCode',
      '',
    ].join('\n'),
  );
  const c = loadContent({ contentDir: dir, timeMachine: true });
  const evt = new Event({ Raw: '8.8.8.8 hello', Src: 'x', Labels: newStrMap({ type: 'x' }), Module: 'file' });
  assert.equal(c.parsers.parse(evt), 0);
  assert.equal(evt.Meta.asn, '15169');
  assert.equal(evt.Meta.country, 'US');
});
