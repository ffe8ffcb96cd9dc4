// Failed logins per client address (issue 11 §4): after MAX_FAILURES failed `POST /v1/watchers/login` from
// one address within WINDOW_MS, that address gets 429 until the window ends. Bounded: at most MAX_ADDRESSES
// addresses are tracked (the oldest window is forgotten first). Owns: that bookkeeping only.

export const MAX_FAILURES = 10;
export const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 100_000;

export class LoginLimiter {
  /** address -> [window start, failures in it]; Map order = insertion order (oldest first) */
  private readonly failures = new Map<string, [number, number]>();

  /** seconds to wait when `ip` is blocked at `now`, else 0 */
  retryAfter(ip: string, now: number): number {
    const f = this.failures.get(ip);
    if (!f) return 0;
    if (now - f[0] >= WINDOW_MS) {
      this.failures.delete(ip);
      return 0;
    }
    return f[1] >= MAX_FAILURES ? Math.max(1, Math.ceil((f[0] + WINDOW_MS - now) / 1000)) : 0;
  }

  failed(ip: string, now: number): void {
    const f = this.failures.get(ip);
    if (f && now - f[0] < WINDOW_MS) {
      f[1]++;
      return;
    }
    this.failures.delete(ip);
    if (this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(ip, [now, 1]);
  }

  succeeded(ip: string): void {
    this.failures.delete(ip);
  }
}
