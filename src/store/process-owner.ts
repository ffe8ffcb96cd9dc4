// Whether the process that wrote something into the data folder still runs. A pid alone is not enough: after a
// crash the restarted daemon may get the same pid (pid 1 in a container), and pids are reused. So a writer
// also records its identity — the boot id and its start time, from /proc — and a record is "alive" only while
// a process with that pid and that identity exists. Where /proc is missing the pid alone decides. Owns: the
// pid check (also used by ./daemon-lock.ts) and the identity.

import fs from 'node:fs';

/** true when a process `pid` exists (EPERM: it exists, owned by another user) */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | null | undefined;
function readBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/**
 * the start time of `pid` (field 22 of /proc/PID/stat, after the command name, which may hold spaces and
 * parentheses); `gone` when there is no such process or it has exited (a zombie), null when /proc cannot tell
 */
function startTime(pid: number): string | null | 'gone' {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && fs.existsSync('/proc/self/stat') ? 'gone' : null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return 'gone'; // exited, not reaped yet
  return fields[19] ?? null; // fields from the 3rd (state) on: starttime is the 22nd
}

/** this process's identity beyond its pid, null where the system cannot give one */
export function ownIdentity(): string | null {
  const boot = readBootId();
  const start = startTime(process.pid);
  return boot === null || start === null || start === 'gone' ? null : `${boot}:${start}`;
}

/** true while the process `pid` recorded with `identity` (see ownIdentity) runs */
export function ownerAlive(pid: number, identity: string | null): boolean {
  if (identity !== null) {
    const boot = readBootId();
    const start = startTime(pid);
    if (start === 'gone') return false;
    if (boot !== null && start !== null) return identity === `${boot}:${start}`;
  }
  return processExists(pid);
}
