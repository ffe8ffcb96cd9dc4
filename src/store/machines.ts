// The machines table of the Local API store (watchers: agents and the local CLI): machineId -> MachineRecord.
// Deleting a machine keeps its alerts, re-labelled 'N/A', in the same transaction.

import { logTransaction, type LapiMemory } from './change-log.js';
import { orphanMachineAlerts } from './alerts.js';
import { checkKey, type LapiTables } from './lapi-tables.js';
import type { MachineRecord } from './records.js';

export class MachineTable {
  constructor(
    private readonly t: LapiTables,
    private readonly memory: LapiMemory,
  ) {}

  get(machineId: string): MachineRecord | undefined {
    return this.t.machines.get(machineId);
  }

  async put(m: MachineRecord): Promise<void> {
    checkKey('machine id', m.machineId);
    await this.t.machines.put(m.machineId, m);
  }

  /** removes the machine; its alerts keep their place with machineId 'N/A' */
  async delete(machineId: string): Promise<boolean> {
    const t = this.t;
    const done = await logTransaction(t, (log) => {
      if (t.machines.get(machineId) === undefined) return false;
      t.machines.remove(machineId);
      orphanMachineAlerts(t, log, machineId);
      return true;
    });
    this.memory.sync();
    return done;
  }

  list(): MachineRecord[] {
    return Array.from(this.t.machines.getRange({}).map((e) => e.value));
  }
}
