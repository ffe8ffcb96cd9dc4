// The PostgreSQL store of Picket Central (`--db postgres://…`, client `pg`). Raw signals live in a table
// partitioned by day on their receive time (declarative range partitioning): partitions are created three days
// ahead (and on demand for a batch that needs one), expiry drops whole day partitions past retention and deletes
// the rows of the boundary day. Batches go in as one INSERT … SELECT FROM unnest(arrays); each row carries its
// `seq` (index on (received, seq): the replay after a saved state). The consensus state is a set of chunk rows of
// one generation (central_state) named by a head row in central_meta. Other records are small tables with a jsonb
// body. Safe for several processes (server and CLI) at once.

import pg from 'pg';
import { PicketError, errorMessage } from '../../core/errors.js';
import type { AuditRecord, CentralOp, CuratedRecord, MachineRecord, StoreStats, StoredSignal } from '../records.js';
import type { CentralStore, SavedState } from './types.js';

const DAY_MS = 86_400_000;
const AHEAD_DAYS = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS central_machines (login text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS central_signals (
  received timestamptz NOT NULL, at timestamptz NOT NULL, scope text NOT NULL, value text NOT NULL,
  scenario text NOT NULL, scenario_hash text NOT NULL, scenario_version text NOT NULL, trust text NOT NULL,
  reporter text NOT NULL, seq bigint NOT NULL DEFAULT 0
) PARTITION BY RANGE (received);
ALTER TABLE central_signals ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS central_signals_value ON central_signals (value);
CREATE INDEX IF NOT EXISTS central_signals_received_seq ON central_signals (received, seq);
CREATE TABLE IF NOT EXISTS central_state (gen bigint NOT NULL, i int NOT NULL, body text NOT NULL,
  PRIMARY KEY (gen, i));
CREATE TABLE IF NOT EXISTS central_signal_ids (id text PRIMARY KEY, received timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS central_signal_ids_received ON central_signal_ids (received);
CREATE TABLE IF NOT EXISTS central_curated (value text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS central_audit (id bigserial PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS central_ops (id bigserial PRIMARY KEY, op jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS central_meta (key text PRIMARY KEY, value text NOT NULL);
`;

const SIGNAL_COLUMNS = 'received, at, scope, value, scenario, scenario_hash, scenario_version, trust, reporter, seq';
const PAGE = 5000;
/** central_meta 'consensus_state_head': where the current consensus state's chunks are */
type StateHead = Omit<SavedState, 'chunks'> & { gen: number; chunks: number };

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

function signalOf(x: Record<string, unknown>): StoredSignal {
  return {
    received: (x.received as Date).getTime(),
    at: (x.at as Date).getTime(),
    scope: x.scope as StoredSignal['scope'],
    value: x.value as string,
    scenario: x.scenario as string,
    scenarioHash: x.scenario_hash as string,
    scenarioVersion: x.scenario_version as string,
    trust: x.trust as StoredSignal['trust'],
    reporter: x.reporter as string,
    seq: Number(x.seq),
  };
}
const partName = (day: number): string =>
  `central_signals_${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;

export class PgCentralStore implements CentralStore {
  readonly kind = 'postgres' as const;
  /** days whose partition this process knows to exist */
  private readonly days = new Set<number>();

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, retentionDays: number): Promise<PgCentralStore> {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    pool.on('error', () => undefined);
    const s = new PgCentralStore(pool);
    try {
      await pool.query('SELECT pg_advisory_lock(7410012)');
      try {
        await pool.query(SCHEMA);
      } finally {
        await pool.query('SELECT pg_advisory_unlock(7410012)');
      }
      await s.ensurePartitions(Date.now() - retentionDays * DAY_MS, Date.now() + AHEAD_DAYS * DAY_MS);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new PicketError('CENTRAL_STORE', `PostgreSQL ${url.replace(/\/\/[^@/]*@/, '//…@')}: ${errorMessage(e)}`);
    }
    return s;
  }

  /** day partitions covering [from, to] */
  async ensurePartitions(from: number, to: number): Promise<void> {
    for (let d = dayOf(from); d <= dayOf(to); d++) {
      if (this.days.has(d)) continue;
      const lo = new Date(d * DAY_MS).toISOString(),
        hi = new Date((d + 1) * DAY_MS).toISOString();
      try {
        await this.pool.query(
          `CREATE TABLE IF NOT EXISTS ${partName(d)} PARTITION OF central_signals FOR VALUES FROM ('${lo}') TO ('${hi}')`,
        );
      } catch (e) {
        if (!/already exists/.test(errorMessage(e))) throw e; // another process created it meanwhile
      }
      this.days.add(d);
    }
  }

  private async one<T>(sql: string, args: unknown[]): Promise<T | undefined> {
    const r = await this.pool.query(sql, args);
    return (r.rows[0] as Record<string, T> | undefined)?.rec;
  }

  getMachine(login: string): Promise<MachineRecord | undefined> {
    return this.one<MachineRecord>('SELECT rec FROM central_machines WHERE login = $1', [login]);
  }
  async putMachine(m: MachineRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO central_machines (login, rec) VALUES ($1, $2) ON CONFLICT (login) DO UPDATE SET rec = EXCLUDED.rec',
      [m.login, m],
    );
  }
  async deleteMachine(login: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM central_machines WHERE login = $1', [login])).rowCount ?? 0) > 0;
  }
  async listMachines(): Promise<MachineRecord[]> {
    return (await this.pool.query('SELECT rec FROM central_machines ORDER BY login')).rows.map(
      (r: { rec: MachineRecord }) => r.rec,
    );
  }

  async addSignals(rows: readonly StoredSignal[]): Promise<void> {
    if (rows.length === 0) return;
    for (const r of rows) {
      if (!this.days.has(dayOf(r.received))) await this.ensurePartitions(r.received, r.received + AHEAD_DAYS * DAY_MS);
    }
    const col = <K extends keyof StoredSignal>(k: K) => rows.map((r) => r[k]);
    await this.pool.query(
      `INSERT INTO central_signals (${SIGNAL_COLUMNS}) SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[],
        $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])`,
      [
        rows.map((r) => new Date(r.received)),
        rows.map((r) => new Date(r.at)),
        col('scope'),
        col('value'),
        col('scenario'),
        col('scenarioHash'),
        col('scenarioVersion'),
        col('trust'),
        col('reporter'),
        col('seq'),
      ],
    );
  }

  async claimSignalIds(ids: readonly string[], at: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const r = await this.pool.query(
      `INSERT INTO central_signal_ids (id, received) SELECT DISTINCT unnest($1::text[]), $2::timestamptz
      ON CONFLICT (id) DO NOTHING RETURNING id`,
      [ids, new Date(at)],
    );
    return new Set((r.rows as Array<{ id: string }>).map((x) => x.id));
  }

  async expireSignals(before: number): Promise<number> {
    await this.pool.query('DELETE FROM central_signal_ids WHERE received < $1', [new Date(before)]);
    await this.ensurePartitions(Date.now(), Date.now() + AHEAD_DAYS * DAY_MS);
    const parts = await this.pool
      .query(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'central_signals'`);
    let n = 0;
    const cutDay = dayOf(before);
    for (const { name } of parts.rows as Array<{ name: string }>) {
      const m = /^central_signals_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const day = dayOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (day >= cutDay) continue;
      n += Number((await this.pool.query(`SELECT count(*) AS n FROM ${name}`)).rows[0].n);
      await this.pool.query(`DROP TABLE IF EXISTS ${name}`);
      this.days.delete(day);
    }
    n += (await this.pool.query('DELETE FROM central_signals WHERE received < $1', [new Date(before)])).rowCount ?? 0;
    return n;
  }

  async eraseSignals(value: string): Promise<number> {
    return (await this.pool.query('DELETE FROM central_signals WHERE value = $1', [value])).rowCount ?? 0;
  }

  async signalsFor(value: string): Promise<StoredSignal[]> {
    const r = await this.pool.query(
      `SELECT ${SIGNAL_COLUMNS} FROM central_signals WHERE value = $1 ORDER BY received, seq`,
      [value],
    );
    return (r.rows as Array<Record<string, unknown>>).map(signalOf);
  }

  async *signalsAfter(after: number, since: number): AsyncIterable<StoredSignal[]> {
    let from = new Date(since),
      last = -1;
    for (;;) {
      const r = await this.pool.query(
        `SELECT ${SIGNAL_COLUMNS} FROM central_signals WHERE received >= $1 AND (received, seq) > ($1, $2)
        AND seq > $3 ORDER BY received, seq LIMIT ${PAGE}`,
        [from, last, after],
      );
      const page = (r.rows as Array<Record<string, unknown>>).map(signalOf);
      if (page.length) yield page;
      if (page.length < PAGE) return;
      from = new Date(page[page.length - 1]!.received);
      last = page[page.length - 1]!.seq;
    }
  }

  async putCurated(c: CuratedRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO central_curated (value, rec) VALUES ($1, $2) ON CONFLICT (value) DO UPDATE SET rec = EXCLUDED.rec',
      [c.value, c],
    );
  }
  async deleteCurated(value: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM central_curated WHERE value = $1', [value])).rowCount ?? 0) > 0;
  }
  async listCurated(): Promise<CuratedRecord[]> {
    return (await this.pool.query('SELECT rec FROM central_curated ORDER BY value')).rows.map(
      (r: { rec: CuratedRecord }) => r.rec,
    );
  }

  async addAudit(a: AuditRecord): Promise<void> {
    await this.pool.query('INSERT INTO central_audit (rec) VALUES ($1)', [a]);
  }
  async listAudit(): Promise<AuditRecord[]> {
    return (await this.pool.query('SELECT rec FROM central_audit ORDER BY id')).rows.map(
      (r: { rec: AuditRecord }) => r.rec,
    );
  }

  async pushOp(op: CentralOp): Promise<void> {
    await this.pool.query('INSERT INTO central_ops (op) VALUES ($1)', [op]);
  }
  async pendingOps(): Promise<Array<{ id: string; op: CentralOp }>> {
    return (await this.pool.query('SELECT id, op FROM central_ops ORDER BY id')).rows.map(
      (r: { id: string; op: CentralOp }) => ({ id: String(r.id), op: r.op }),
    );
  }
  async ackOps(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.pool.query('DELETE FROM central_ops WHERE id = ANY($1::bigint[])', [ids]);
  }

  async saveState(st: SavedState): Promise<void> {
    const g = await this.pool.query('SELECT coalesce(max(gen), 0) + 1 AS gen FROM central_state');
    const gen = Number((g.rows[0] as { gen: string }).gen);
    // one statement per chunk, each awaited: the event loop runs between them and a crash keeps the old head
    for (let i = 0; i < st.chunks.length; i++)
      await this.pool.query('INSERT INTO central_state (gen, i, body) VALUES ($1, $2, $3)', [gen, i, st.chunks[i]]);
    const head: StateHead = { gen, chunks: st.chunks.length, seq: st.seq, received: st.received, savedAt: st.savedAt };
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO central_meta (key, value) VALUES ('consensus_state_head', $1)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify(head)],
      );
      await c.query(`DELETE FROM central_meta WHERE key = 'consensus_state'`);
      await c.query('DELETE FROM central_state WHERE gen <> $1', [gen]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
  async loadState(): Promise<SavedState | undefined> {
    const r = await this.pool.query(
      `SELECT key, value FROM central_meta WHERE key IN ('consensus_state_head', 'consensus_state')`,
    );
    const rows = r.rows as Array<{ key: string; value: string }>;
    const headRow = rows.find((x) => x.key === 'consensus_state_head');
    if (!headRow) {
      const legacy = rows.find((x) => x.key === 'consensus_state'); // one JSON text, before chunks
      return legacy ? { chunks: [legacy.value], seq: 0, received: 0, savedAt: 0 } : undefined;
    }
    const head = JSON.parse(headRow.value) as StateHead;
    const c = await this.pool.query('SELECT body FROM central_state WHERE gen = $1 ORDER BY i', [head.gen]);
    const chunks = (c.rows as Array<{ body: string }>).map((x) => x.body);
    if (chunks.length !== head.chunks)
      throw new PicketError('CENTRAL_BAD_STATE', `consensus state: ${chunks.length} of ${head.chunks} chunks found`);
    return { chunks, seq: head.seq, received: head.received, savedAt: head.savedAt };
  }

  async stats(): Promise<StoreStats> {
    const r = await this.pool.query(`SELECT (SELECT count(*) FROM central_machines) AS m,
      (SELECT count(*) FROM central_signals) AS s, (SELECT count(*) FROM central_curated) AS c`);
    const row = r.rows[0] as { m: string; s: string; c: string };
    return { machines: Number(row.m), signals: Number(row.s), curated: Number(row.c) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
