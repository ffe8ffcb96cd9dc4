// The address spray of the spray benchmark: sshd "Failed password" lines in syslog format (as
// ../shared/tools/gen-logs.mjs writes them and Picket's sshd parser reads them), each from a different source
// address (80% IPv4 in 11.0.0.0/8, 20% IPv6 in 2a01::/16, none whitelisted), log time advancing one second per
// 1,000 lines from 2025-03-10 00:00:00 UTC. Deterministic: line i depends only on i.
// Owns: the spray's line format and its file cache.

import fs from 'node:fs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const T0 = Date.UTC(2025, 2, 10);
const USERS = ['root', 'invalid user admin', 'invalid user test', 'ubuntu', 'invalid user oracle'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Syslog BSD timestamp ("Mar 10 00:00:01", day padded with a space) of ms since the epoch. */
function bsd(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return (
    `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Source address of line i: distinct for every i below 2^24 IPv4 / 2^32 IPv6 draws. */
export function sprayAddress(i: number): string {
  const q = Math.floor(i / 5);
  if (i % 5 === 4) return `2a01:${(q >>> 16).toString(16)}:${(q & 0xffff).toString(16)}::${(i & 0xff).toString(16)}`;
  const k = q * 4 + (i % 5); // 0..4*q+3: one IPv4 index per IPv4 line
  const n = Math.imul(k, 0x9e3779b1) & 0xffffff; // a bijection of [0, 2^24)
  return `11.${n >>> 16}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Line i of the spray. */
export function sprayLine(i: number): string {
  const ts = bsd(T0 + Math.floor(i / 1000) * 1000);
  const pid = 10000 + (i % 50000);
  return (
    `${ts} web01 sshd[${pid}]: Failed password for ${USERS[i % USERS.length]} from ${sprayAddress(i)} ` +
    `port ${1024 + (i % 60000)} ssh2`
  );
}

/** Lines [from, to) as one newline-terminated chunk. */
export function sprayChunk(from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(sprayLine(i));
  return parts.length ? `${parts.join('\n')}\n` : '';
}

/** Writes (once: kept when its size matches a previous write) a spray of `lines` lines to `file`. */
export function writeSprayFile(file: string, lines: number): void {
  const done = `${file}.done`;
  if (
    fs.existsSync(done) &&
    fs.readFileSync(done, 'utf8') === String(fs.existsSync(file) ? fs.statSync(file).size : -1)
  )
    return;
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < lines; i += 20000) fs.writeSync(fd, sprayChunk(i, Math.min(lines, i + 20000)));
  } finally {
    fs.closeSync(fd);
  }
  fs.writeFileSync(done, String(fs.statSync(file).size));
}
