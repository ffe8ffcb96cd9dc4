// Opening the store a configuration names: PostgreSQL when `db` is a postgres:// URL, else the embedded LMDB
// store in the data folder.

import type { CentralConfig } from '../config.js';
import { LmdbCentralStore } from './lmdb-store.js';
import type { CentralStore } from './types.js';

export async function openCentralStore(
  config: Pick<CentralConfig, 'db' | 'data' | 'signalsRetentionDays'>,
): Promise<CentralStore> {
  if (config.db) {
    const { PgCentralStore } = await import('./pg-store.js');
    return PgCentralStore.open(config.db, config.signalsRetentionDays);
  }
  return new LmdbCentralStore(config.data);
}
