// Public API of the web console: whether it runs (on by default only when the LAPI listens on loopback) and
// the handler the LAPI mounts under /ui, serving the front end built by `npm run build` into build/ui.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LapiStore } from '../store/records.js';
import type { ReportSource } from '../report/index.js';
import type { AllowlistStore } from '../store/allowlists.js';
import { ConsoleHandler } from './handler.js';

export { ConsoleHandler } from './handler.js';
export { addUser, deleteUser, readUsers, verifyUser, USERS_FILE } from './users.js';

/** build/ui of the package (dist/src/console -> ../../../build/ui) */
export const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../build/ui');

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** explicit `enabled` wins; otherwise on when the LAPI listens on loopback */
export function consoleEnabled(host: string, enabled?: boolean): boolean {
  return enabled ?? isLoopback(host);
}

export function createConsole(o: {
  store: LapiStore & ReportSource;
  allowlists: AllowlistStore | null;
  dataDir: string;
  tls: boolean;
  log?: (l: string) => void;
}): ConsoleHandler {
  return new ConsoleHandler({ ...o, uiDir: UI_DIR });
}
