// One data folder, one daemon: `picket run` holds `<data>/picket.pid` (its PID, created exclusively, 0600)
// while it runs. A second daemon on the same folder is refused with the other one's PID; a lock left by a
// process that no longer exists (kill -9, crash) is taken over. Owns: acquiring and releasing that file.

import fs from 'node:fs';
import path from 'node:path';
import { PicketError } from '../core/errors.js';
import { processExists as alive } from './process-owner.js';

export const LOCK_FILE = 'picket.pid';

export class DaemonLockError extends PicketError {
  constructor(message: string) {
    super('STORE_DAEMON_LOCKED', message);
  }
}

export interface DaemonLock {
  readonly file: string;
  release(): void;
}

function readPid(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Takes the daemon lock of `dataDir` (an existing folder) or throws naming the process that holds it. */
export function acquireDaemonLock(dataDir: string): DaemonLock {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DaemonLockError(
          `data folder lock ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      const pid = readPid(file);
      if (pid !== null && pid !== process.pid && alive(pid)) {
        throw new DaemonLockError(
          `data folder ${path.dirname(file)} is in use by another picket run (PID ${pid}, ` +
            `lock ${file}); stop it or use another --data folder`,
        );
      }
      // stale (dead process, or an empty file of a process killed while writing it): taken over
      try {
        fs.unlinkSync(file);
      } catch {
        /* removed by someone else meanwhile */
      }
      continue;
    }
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    const release = (): void => {
      if (readPid(file) === process.pid) {
        try {
          fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
      process.removeListener('exit', release);
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new DaemonLockError(`data folder lock ${file}: could not be taken (other processes race for it)`);
}
