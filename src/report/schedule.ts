// `report: {schedule: monthly, output_dir: DIR, notify: NAME}` of the config, run by `picket run`: a
// timer checks once an hour whether last month's report was made (the store remembers the last month done,
// sub-database jobState, key `report.monthly`); if not, it builds it and writes the HTML, PDF and JSON files
// to DIR (./files.ts), then hands the files to the report sender registered for notifications
// (`registerReportSender`: `picket run` registers src/cli/report-notify.ts, e-mail with attachments). So the
// report of a month appears within the hour after midnight UTC on the 1st, or at the first check after a
// start when that month's report is missing.

import type { PicketStore } from '../store/lmdb.js';
import type { ReportConfig } from '../config/config.js';
import { errorMessage } from '../core/errors.js';
import { buildReport, type ReportSource } from './data.js';
import { lastMonth } from './period.js';
import { writeReportFiles, type ReportFile } from './files.js';

export type { ReportFile } from './files.js';
export const STATE_KEY = 'report.monthly';
const HOUR_MS = 3_600_000;

/** sends report files through a named notification (e-mail, webhook...): implemented by src/notifications */
export interface ReportSender {
  send(notification: string, files: ReportFile[], subject: string): Promise<void>;
}

let sender: ReportSender | null = null;

/** registers (null: removes) the sender the schedule uses for `report.notify` (alias `report.notification`) */
export function registerReportSender(s: ReportSender | null): void {
  sender = s;
}

export interface ScheduleOptions {
  store: PicketStore;
  source: ReportSource;
  config: ReportConfig;
  log: (line: string) => void;
  clock?: () => number;
  /** period of the check (default 1 hour) */
  everyMs?: number;
}

export class ReportSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReportFile[] | null> | null = null;
  private readonly clock: () => number;

  constructor(private readonly o: ScheduleOptions) {
    this.clock = o.clock ?? Date.now;
  }

  /** checks now, then every hour */
  start(): this {
    const tick = () => {
      this.running ??= this.check().finally(() => {
        this.running = null;
      });
    };
    setImmediate(tick);
    this.timer = setInterval(tick, this.o.everyMs ?? HOUR_MS);
    this.timer.unref();
    return this;
  }

  /** makes last month's report when it was not made yet; returns the files written (null: nothing to do) */
  async check(): Promise<ReportFile[] | null> {
    const { store, config, log } = this.o;
    if (config.schedule !== 'monthly' || config.outputDir === undefined) return null;
    const now = this.clock();
    const month = lastMonth(now);
    const state = store.db('jobState');
    if (state.get(STATE_KEY) === month.key) return null;
    let files: ReportFile[];
    try {
      files = await writeReportFiles(buildReport(this.o.source, { month, now }), config.outputDir);
    } catch (e) {
      log(`report ${month.key}: not written (${errorMessage(e)}); next try in an hour`);
      return null;
    }
    await state.put(STATE_KEY, month.key);
    log(`report ${month.key}: written to ${config.outputDir}`);
    if (config.notification !== undefined) await this.notify(config.notification, files, month.key);
    return files;
  }

  private async notify(name: string, files: ReportFile[], month: string): Promise<void> {
    if (sender === null) {
      this.o.log(
        `report ${month}: notification '${name}' not sent: no notification sender in this build ` +
          '(the files are in the folder)',
      );
      return;
    }
    try {
      await sender.send(name, files, `Picket monthly report ${month}`);
    } catch (e) {
      this.o.log(`report ${month}: notification '${name}' failed: ${errorMessage(e)}`);
    }
  }

  /** stops the timer and waits for a report being written */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
