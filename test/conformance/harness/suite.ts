// Shared setup of the conformance tests: the gate (the suite runs only under `npm run test:conformance`, which
// sets PICKET_CONFORMANCE=1; `npm test` lists it as skipped), the skip reasons, and one LAPI under test with a
// recording proxy in front, always stopped (with every child process) when the test ends, failed or not.

import { RecordingProxy } from './proxy.js';
import { missingBinaries, stopAll } from './proc.js';
import { startTarget, targetUnavailable, type LapiTarget } from './target.js';

/** Why this conformance test cannot run here (shown as the skip reason), or false to run it. */
export function skipReason(...bins: string[]): string | false {
  if (process.env.PICKET_CONFORMANCE !== '1') return 'conformance suite: run it with `npm run test:conformance`';
  return targetUnavailable() ?? missingBinaries(...bins) ?? false;
}

/** Runs `body` with a started LAPI target and a recording proxy to it; stops both and every spawned process after. */
export async function withLapi(body: (target: LapiTarget, proxy: RecordingProxy) => Promise<void>): Promise<void> {
  const target = await startTarget();
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await new RecordingProxy(target.port).start();
    await body(target, proxy);
  } catch (err) {
    if (err instanceof Error) err.message += `\n--- ${target.name} LAPI log (tail) ---\n${target.server.tail(25)}`;
    throw err;
  } finally {
    await stopAll();
    await proxy?.stop();
    await target.stop();
  }
}

/** Parses a Go duration as printed by the LAPI (e.g. `4m59.15s`, `-107.8ms`, `3h59m`) into seconds. */
export function goDurationSeconds(d: string): number {
  const m = /^(-?)((?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+)$/.exec(d);
  if (!m) return NaN;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(part[1]) * unit[part[2]!]!;
  return m[1] ? -total : total;
}
