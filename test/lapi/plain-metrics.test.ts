// The LAPI's plain counters/histograms expose exactly the text prom-client's own Counter/Histogram would.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { PlainCounter, PlainHistogram } from '../../src/lapi/plain-metrics.js';

test('PlainCounter and PlainHistogram scrape like prom-client', async () => {
  const bounds = [0.005, 0.01, 0.1, 1];
  const ref = new client.Registry();
  const refC = new client.Counter({ name: 'c_total', help: 'h', labelNames: ['route', 'method'], registers: [ref] });
  const refH = new client.Histogram({
    name: 'd_seconds',
    help: 'h',
    labelNames: ['endpoint', 'method'],
    buckets: bounds,
    registers: [ref],
  });
  const mine = new client.Registry();
  const c = new PlainCounter('c_total', 'h', ['route', 'method']);
  const h = new PlainHistogram('d_seconds', 'h', ['endpoint', 'method'], bounds);
  mine.registerMetric(c as unknown as client.Metric);
  mine.registerMetric(h as unknown as client.Metric);
  const a = c.cell({ route: '/v1/decisions', method: 'GET' });
  const b = c.cell({ route: '/v1/alerts', method: 'POST' });
  const ha = h.cell({ endpoint: '/v1/decisions', method: 'GET' });
  for (const v of [0.001, 0.004, 0.02, 0.5, 3]) {
    a.inc();
    refC.inc({ route: '/v1/decisions', method: 'GET' });
    ha.observe(v);
    refH.observe({ endpoint: '/v1/decisions', method: 'GET' }, v);
  }
  b.inc();
  refC.inc({ route: '/v1/alerts', method: 'POST' });
  assert.equal(c.cell({ route: '/v1/decisions', method: 'GET' }), a, 'one cell per label set');
  assert.equal(await mine.metrics(), await ref.metrics());
  assert.throws(() => c.cell({ route: 'x' }), /label 'method' missing/);
});
