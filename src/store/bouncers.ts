// The bouncers table of the Local API store: name -> BouncerRecord, with `bouncerKeys` (SHA-512 of the API key
// -> name) kept equal to it in the same transaction. Reads are direct LMDB reads, so bouncers added or deleted
// by another process (the CLI) are seen at once; `writes` counts this process's committed bouncer writes.

import { checkKey, type LapiTables } from './lapi-tables.js';
import type { BouncerRecord } from './records.js';

export class BouncerTable {
  /** bumped by every bouncer write of this process once committed (before the promise resolves) */
  writes = 0;

  constructor(private readonly t: LapiTables) {}

  getByName(name: string): BouncerRecord | undefined {
    return this.t.bouncers.get(name);
  }

  getByKeyHash(apiKeyHash: string): BouncerRecord | undefined {
    const name = this.t.bouncerKeys.get(apiKeyHash);
    if (name === undefined) return undefined;
    const b = this.t.bouncers.get(name);
    return b !== undefined && b.apiKeyHash === apiKeyHash ? b : undefined;
  }

  async put(b: BouncerRecord): Promise<void> {
    checkKey('bouncer name', b.name);
    checkKey('bouncer API key hash', b.apiKeyHash);
    const t = this.t;
    await t.root.transaction(() => {
      const old = t.bouncers.get(b.name);
      if (old !== undefined && old.apiKeyHash !== b.apiKeyHash && t.bouncerKeys.get(old.apiKeyHash) === b.name) {
        t.bouncerKeys.remove(old.apiKeyHash);
      }
      t.bouncers.put(b.name, b);
      t.bouncerKeys.put(b.apiKeyHash, b.name);
    });
    this.writes++;
  }

  async delete(name: string): Promise<boolean> {
    const t = this.t;
    const done = await t.root.transaction(() => {
      const old = t.bouncers.get(name);
      if (old === undefined) return false;
      t.bouncers.remove(name);
      if (t.bouncerKeys.get(old.apiKeyHash) === name) t.bouncerKeys.remove(old.apiKeyHash);
      return true;
    });
    this.writes++;
    return done;
  }

  list(): BouncerRecord[] {
    return Array.from(this.t.bouncers.getRange({}).map((e) => e.value));
  }
}
