import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, ExpositionError } from '../../src/metrics/exposition.js';
import { metricsTables, tablesJSON } from '../../src/metrics/cscli-tables.js';

test('exposition parser: labels with escapes, +Inf, comments; a malformed line names its number', () => {
  const page = [
    '# HELP cs_alerts x',
    '# TYPE cs_alerts gauge',
    'cs_alerts{reason="crowdsecurity/ssh-bf"} 3',
    String.raw`cs_active_decisions{action="ban",origin="cscli",reason="manual 'ban' from \"m\"\\x"} 1`,
    'h_bucket{le="+Inf"} 4 1700000000',
    'cs_lapi_decisions_ok_total{bouncer="fw"} 2',
    'cs_lapi_decisions_ko_total{bouncer="fw"} 5',
  ].join('\n');
  const s = parseExposition(page);
  assert.equal(s.length, 5);
  assert.deepEqual(s[0], { name: 'cs_alerts', labels: { reason: 'crowdsecurity/ssh-bf' }, value: 3 });
  assert.equal(s[1]!.labels.reason, String.raw`manual 'ban' from "m"\x`);
  assert.deepEqual(s[2]!.labels, { le: '+Inf' });
  const t = tablesJSON(metricsTables(s, ['alerts', 'decisions', 'lapi-decisions']));
  assert.deepEqual(t.alerts, [{ Reason: 'crowdsecurity/ssh-bf', Count: 3 }]);
  assert.deepEqual(t['lapi-decisions'], [{ Bouncer: 'fw', 'Empty answers': 5, 'Non-empty answers': 2 }]);
  assert.equal(t.decisions![0]!.Action, 'ban');
  assert.throws(
    () => parseExposition('ok 1\ncs_x{a="b" 1'),
    (e: unknown) => e instanceof ExpositionError && /line 2/.test(e.message),
  );
  assert.throws(() => parseExposition('cs_x{a="b"} one'), /line 1: value expected/);
});
