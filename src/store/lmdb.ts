// The one Picket LMDB environment of a data folder (`--data DIR`): `DIR/picket.mdb` (+ `picket.mdb-lock`),
// opened once per process, with one named sub-database per kind of record. Owns: creating/validating the
// folder, opening the environment, the registry of sub-database names and their value types (`SubDbs`),
// flush + close. Later issues add machines, bouncers, alerts, decisions: add a key to `SubDbs` (the value
// type) and open it with `store.db('name')`.
//
// Sync/durability: lmdb-js defaults are kept (writes are async, batched per event turn into one transaction;
// `committed` = visible and in the OS page cache, survives a killed process; `flushed` = fsynced, survives
// a power loss). Reads (`get`) are synchronous.
//
// The data file is checked before LMDB maps it: lmdb-js crashes the whole process (SIGSEGV) on a file that
// is not an LMDB environment, so a foreign or damaged file is refused with an error naming the folder.

import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { FilePosition } from '../acquisition/file/tail.js';
import type { AlertRecord, BouncerRecord, MachineRecord } from './records.js';
import type { DecisionLogEntry, StoredDecision, WriteIntent } from './lapi-schema.js';
import type { AllowlistRecord } from './allowlists.js';
import type { UsageMetricsRecord } from './usage-metrics.js';
import type { ErasureRecord } from './erase.js';
import { PicketError, errorMessage, errorCode } from '../core/errors.js';
import type { OutboxEntry, SentRecord } from './outbox.js';
import type { BlocklistRecord } from './blocklists.js';

/** Sub-database name -> value type. Keys are strings unless a comment says otherwise. */
export interface SubDbs {
  /** read positions of tailed files, keyed by file path */
  positions: FilePosition;
  // Local API (layout and key types: src/store/lapi-schema.ts; alerts, decisions and decisionLog have
  // number keys, decisionValues [string, number] keys)
  machines: MachineRecord;
  bouncers: BouncerRecord;
  bouncerKeys: string;
  alerts: AlertRecord;
  decisions: StoredDecision;
  decisionValues: number;
  decisionLog: DecisionLogEntry;
  lapiCounters: number;
  /** writes in chunks in progress, number keys (./lapi-schema.ts WriteIntent) */
  lapiWrites: WriteIntent;
  /** usage metrics, key [receivedAt, random id] (time order) */
  usageMetrics: UsageMetricsRecord;
  /** allowlists by name (./allowlists.ts) */
  allowlists: AllowlistRecord;
  /** records of GDPR erasures, key: erasure id (src/gdpr/erasures.ts; no address, a keyed hash) */
  gdprErasures: ErasureRecord;
  /** small state of scheduled jobs, key: job name (src/report/schedule.ts: last month reported) */
  jobState: string;
  /** signals owed to the central API, key: zero-padded sequence (./outbox.ts) */
  capiOutbox: OutboxEntry;
  /** audit trail of signals sent, key: alert UUID (./outbox.ts) */
  capiSent: SentRecord;
  /** blocklist subscriptions and CAPI links with their sync state, key: list name (./blocklists.ts) */
  blocklists: BlocklistRecord;
  /** index of the outbox: alert UUID -> its outbox key (./outbox.ts) */
  capiQueued: string;
}

export type SubDbName = keyof SubDbs;

/** file name of the environment inside the data folder */
export const STORE_FILE = 'picket.mdb';
const LMDB_MAGIC = 0xbeefc0de;
/** offset of mm_magic in the first meta page of an lmdb-js (LMDB 0.9 fork) data file */
const MAGIC_OFFSET = 24;

/** The data folder or its LMDB file cannot be used (code STORE_OPEN). */
export class StoreError extends PicketError {
  constructor(message: string) {
    super('STORE_OPEN', message);
  }
}

export interface PicketStore {
  /** the data folder (absolute) */
  readonly dir: string;
  readonly root: RootDatabase;
  /** a typed sub-database (opened once, then cached) */
  db<K extends SubDbName>(name: K): Database<SubDbs[K], string>;
  /** resolves when every write issued so far is committed and synced to disk */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens (creating if needed) the Picket store of `dataDir`. Errors name the folder. */
export function openStore(dataDir: string): PicketStore {
  const dir = path.resolve(dataDir);
  const fail = (why: string): never => {
    throw new StoreError(`data folder ${dir}: ${why}`);
  };
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') {
      fail(`cannot read it (${errorCode(e) ?? errorMessage(e)})`);
    }
  }
  if (st && !st.isDirectory()) fail('not a directory');
  if (!st) {
    // the folder holds credentials, alerts and addresses: its owner only
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      fail(`cannot create it (${errorCode(e) ?? errorMessage(e)})`);
    }
  }
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    fail('not readable and writable by this user');
  }
  const file = path.join(dir, STORE_FILE);
  const isNew = checkDataFile(file, fail);

  let root: RootDatabase;
  try {
    root = open({ path: file, maxDbs: 64 });
  } catch (e) {
    return fail(`cannot open ${STORE_FILE} (${errorMessage(e)})`);
  }
  // lmdb creates its files 0644 (umask permitting): a new store is made readable by its owner only
  if (isNew)
    for (const f of [file, `${file}-lock`]) {
      try {
        fs.chmodSync(f, 0o600);
      } catch {
        /* no lock file */
      }
    }
  const dbs = new Map<string, Database<unknown, string>>();
  return {
    dir,
    root,
    db<K extends SubDbName>(name: K): Database<SubDbs[K], string> {
      let d = dbs.get(name);
      if (!d) {
        try {
          d = root.openDB<unknown, string>(name, {});
        } catch (e) {
          return fail(`cannot open sub-database ${name} (${errorMessage(e)})`);
        }
        dbs.set(name, d);
      }
      return d as Database<SubDbs[K], string>;
    },
    async flush(): Promise<void> {
      await root.flushed;
    },
    async close(): Promise<void> {
      await root.flushed;
      await root.close();
    },
  };
}

/** true when the store is new (no data file yet) */
function checkDataFile(file: string, fail: (why: string) => never): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true; // new store
    return fail(`cannot read ${STORE_FILE} (${code ?? errorMessage(e)})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) fail(`${STORE_FILE} is not a regular file`);
    if (st.size === 0) return true; // created but never initialised: LMDB initialises it
    const head = Buffer.alloc(MAGIC_OFFSET + 4);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n < head.length || head.readUInt32LE(MAGIC_OFFSET) !== LMDB_MAGIC) {
      fail(
        `${STORE_FILE} is not an LMDB environment (damaged or foreign file); move it away to start with an empty store`,
      );
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
