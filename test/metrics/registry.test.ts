import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Event, TIMEMACHINE, newStrMap } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';
import { PatternLibrary } from '../../src/grok/index.js';
import { loadParserTree } from '../../src/parser/load.js';
import { loadScenarios, BucketEngine } from '../../src/buckets/index.js';
import { defaultContent } from '../../src/config/content.js';
import { compileExpr } from '../../src/expr/index.js';
import { createAgentRegistry } from '../../src/metrics/registry.js';
import { sourceModule } from '../../src/acquisition/sources.js';

test('agent registry exposes CrowdSec parser/bucket metric names filled from the engine counters', async () => {
  const content = defaultContent();
  const enrich = { timeMachine: true, yearForYearless: 2025, now: () => GoTime.now(), geo: null, rdns: false };
  const tree = loadParserTree(content.parsers, {
    patterns: PatternLibrary.withBuiltins(),
    dataDir: content.dataDir,
    enrich,
  });
  const engine = new BucketEngine(loadScenarios(content.scenarios, { dataDir: content.dataDir }));
  const reg = createAgentRegistry({
    parsers: [tree],
    engines: [engine],
    sources: {
      defs: sourceModule('file')!.counters,
      rows: () => [
        {
          name: 'cs_filesource_hits_total',
          value: 7,
          labels: { source: '/var/log/auth.log', datasource_type: 'file', acquis_type: 'syslog' },
        },
      ],
    },
  });
  const labels = newStrMap({ type: 'syslog' });
  const lines = [
    'Mar 10 00:00:01 web01 sshd[100]: Failed password for root from 203.0.113.9 port 4242 ssh2',
    'Mar 10 00:00:02 web01 sshd[100]: Failed password for root from 203.0.113.9 port 4243 ssh2',
    'this is not a syslog line',
  ];
  engine.pourSource('/var/log/auth.log', 'file'); // the agent does this once per batch of one source
  for (const raw of lines) {
    const evt = new Event({ Raw: raw, Src: '/var/log/auth.log', Labels: labels, Module: 'file' });
    evt.ExpectMode = TIMEMACHINE;
    if (tree.parse(evt) === 0 && !evt.Whitelisted) engine.pour(evt);
  }
  // an expression runtime error is counted (member access on nil)
  const bad = compileExpr('evt.Overflow.Alert.Scenario == "x"', { env: 'evt', where: 'test' });
  assert.throws(() => bad.run({ evt: new Event() }));

  const text = await reg.metrics();
  assert.match(text, /cs_parser_hits_total\{source="\/var\/log\/auth.log",type="file"\} 3/);
  // CrowdSec's labels (spec metrics.md §4): acquis_type is the acquisition's labels.type
  assert.match(text, /cs_parser_hits_ok_total\{source="\/var\/log\/auth.log",type="file",acquis_type="syslog"\} 2/);
  assert.match(text, /cs_parser_hits_ko_total\{source="\/var\/log\/auth.log",type="file",acquis_type="syslog"\} 1/);
  assert.match(
    text,
    /cs_node_hits_total\{source="\/var\/log\/auth.log",type="file",name="[^"]+",stage="s00-raw",acquis_type="syslog"\} 3/,
  );
  assert.match(
    text,
    /cs_node_hits_ok_total\{source="\/var\/log\/auth.log",type="file",name="[^"]*sshd-logs",stage="s01-parse",acquis_type="syslog"\} 2/,
  );
  assert.match(text, /cs_bucket_poured_total\{source="\/var\/log\/auth.log",type="file",name="[^"]*ssh[^"]*"\} 2/);
  assert.match(text, /cs_bucket_created_total\{name="[^"]*ssh-bf"\} 1/);
  assert.match(text, /cs_bucket_instantiation_total\{name="[^"]*ssh-bf"\} 1/);
  assert.match(text, /cs_buckets\{name="[^"]*ssh-bf"\} 1/);
  assert.match(text, /^cs_info\{version="picket-v[^"]+"\} 1$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
  assert.match(text, /^nodejs_heap_size_used_bytes \d+/m);
  assert.match(text, /# TYPE cs_parsing_time_seconds histogram/);
  assert.match(text, /# TYPE cs_node_wl_hits_total counter/);
  assert.match(text, /# TYPE cs_bucket_canceled_total counter/);
  assert.match(text, /# TYPE cs_bucket_pour_seconds histogram/);
  assert.match(
    text,
    /cs_filesource_hits_total\{source="\/var\/log\/auth.log",datasource_type="file",acquis_type="syslog"\} 7/,
  );
  assert.match(text, /picket_buckets_live \d+/);
  const m = /picket_expr_runtime_errors_total (\d+)/.exec(text);
  assert.ok(m && Number(m[1]) >= 1);
  // scraping twice does not double-count
  const again = await reg.metrics();
  assert.match(again, /cs_parser_hits_total\{source="\/var\/log\/auth.log",type="file"\} 3/);
});
