// Giving the event loop its turn during long synchronous work: a clock of the work done since the last turn, for
// loops that must let I/O (requests, the liveness probe, signals) run every few milliseconds. A settled promise
// does not let I/O run; setImmediate does. Owns that budget only (the LAPI's answers have their own scheduler,
// src/lapi/paced.ts).

import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

export class TurnClock {
  private since = performance.now();

  /** `budgetMs`: work allowed between two turns */
  constructor(private readonly budgetMs: number) {}

  /** the budget is spent: the caller should `await turn()` */
  spent(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  /** gives the event loop a turn, then starts a new budget */
  async turn(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
  }

  /** the loop got its turn by other means (a timer, awaited I/O): a new budget starts now */
  restart(): void {
    this.since = performance.now();
  }
}
