// Public API of the web console: whether it runs (on by default only when its address is a loopback one)
// and the handler the LAPI mounts under /ui (or `picket run` serves on console.listen), serving the front end
// built by `npm run build` into build/ui. The console's report folder is a GDPR data holder (its reports
// name top sources), so the console's erase covers it.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LapiStore } from '../store/records.js';
import type { ReportSource } from '../report/index.js';
import type { AllowlistStore } from '../store/allowlists.js';
import { registerHolder } from '../gdpr/registry.js';
import { reportFilesHolder } from '../gdpr/report-files.js';
import { ConsoleHandler } from './handler.js';
import type { ConsoleGdpr } from './gdpr.js';

export { ConsoleHandler } from './handler.js';
export type { ConsoleGdpr } from './gdpr.js';
export { addUser, deleteUser, readUsers, verifyUser, USERS_FILE } from './users.js';

/** build/ui of the package (dist/src/console -> ../../../build/ui) */
export const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../build/ui');

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** explicit `enabled` wins; otherwise on when the console's address (its own, else the LAPI's) is loopback */
export function consoleEnabled(host: string, enabled?: boolean): boolean {
  return enabled ?? isLoopback(host);
}

export function createConsole(o: {
  store: LapiStore & ReportSource;
  allowlists: AllowlistStore | null;
  dataDir: string;
  tls: boolean;
  /** report.output_dir; default reports/ of the data folder */
  reportDir?: string;
  gdpr?: ConsoleGdpr | null;
  log?: (l: string) => void;
}): ConsoleHandler {
  const reportDir = o.reportDir ?? path.join(o.dataDir, 'reports');
  if (o.gdpr) registerHolder(reportFilesHolder(reportDir));
  return new ConsoleHandler({ ...o, reportDir, gdpr: o.gdpr ?? null, uiDir: UI_DIR });
}
