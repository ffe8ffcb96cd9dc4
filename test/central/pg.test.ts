// The route suite on a real throwaway PostgreSQL cluster (./pg-cluster.ts), and the PostgreSQL store itself:
// day partitions created ahead, expiry dropping whole days past retention, erasure. Skips with the reason when
// the PostgreSQL binaries or the postgres user are missing. Also the store's consensus-state and replay contract
// (./store-state.ts).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgCentralStore } from '../../src/central/store/pg-store.js';
import { routeSuite } from './route-suite.js';
import { startEnv } from './helpers.js';
import { startCluster, type PgCluster } from './pg-cluster.js';
import { storeStateChecks } from './store-state.js';

const cluster = await startCluster();

if ('skip' in cluster) {
  test('PostgreSQL store', (t) => {
    t.skip(cluster.skip);
  });
} else {
  const c: PgCluster = cluster;
  let db = 0;
  const fresh = async (): Promise<string> => {
    const name = `central_${++db}`;
    const client = new pg.Client({ connectionString: c.url });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    return c.url.replace(/\/postgres$/, `/${name}`);
  };
  after(async () => {
    await c.stop();
  });

  routeSuite('PostgreSQL', async () => startEnv({ db: await fresh() }));

  describe('PostgreSQL store', () => {
    let store: PgCentralStore;
    let url: string;
    before(async () => {
      url = await fresh();
      store = await PgCentralStore.open(url, 30);
    });
    after(async () => {
      await store.close();
    });

    const sig = (value: string, received: number) => ({
      scope: 'Ip' as const,
      value,
      scenario: 's',
      scenarioHash: '',
      scenarioVersion: '',
      trust: 'custom' as const,
      at: received,
      received,
      reporter: 'r',
      seq: ++seq,
    });
    let seq = 0;

    test('signals go to day partitions; expiry drops the days past retention; erase by value', async () => {
      const day = 86_400_000,
        now = Date.now();
      await store.ensurePartitions(now - 40 * day, now);
      await store.addSignals([
        sig('45.60.0.1', now - 35 * day),
        sig('45.60.0.2', now - 35 * day),
        sig('45.60.0.1', now - 60_000),
      ]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const parts = await client.query(
        `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'central_signals'`,
      );
      assert.ok((parts.rows[0] as { n: number }).n >= 40, 'one partition per day, created ahead');
      assert.equal(await store.expireSignals(now - 30 * day), 2);
      const after = await client.query(
        `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'central_signals'`,
      );
      assert.ok((after.rows[0] as { n: number }).n < (parts.rows[0] as { n: number }).n, 'old day partitions dropped');
      await client.end();
      assert.equal((await store.signalsFor('45.60.0.1')).length, 1);
      assert.equal(await store.eraseSignals('45.60.0.1'), 1);
      assert.equal((await store.stats()).signals, 0);
    });

    test('operations queue and consensus state round-trip', async () => {
      await store.pushOp({ kind: 'erase', value: '45.60.0.3', at: 1 });
      const ops = await store.pendingOps();
      assert.equal(ops.length, 1);
      await store.ackOps(ops.map((o) => o.id));
      assert.deepEqual(await store.pendingOps(), []);
    });

    test('consensus state chunks, a one-text state from before chunks, the signals after a point', async () => {
      const url2 = await fresh();
      const s2 = await PgCentralStore.open(url2, 30);
      try {
        await storeStateChecks(s2, async (json) => {
          const client = new pg.Client({ connectionString: url2 });
          await client.connect();
          await client.query(`INSERT INTO central_meta (key, value) VALUES ('consensus_state', $1)`, [json]);
          await client.end();
        });
      } finally {
        await s2.close();
      }
    });
  });
}
