// Load generator of the LAPI stall benchmark (bench/stall.bench.ts), run as its own process so that it never
// shares the server's event loop. Owns: 1,000 simulated bouncers polling `GET /v1/decisions/stream?` every
// second over keep-alive (undici Pool), a liveness probe (`GET /health`) every 50 ms on its own connection, and
// the phases the orchestrator asks for on stdin (`startups N`: N concurrent startup pulls, half JSON half
// protobuf; `stop`). Every poll and probe is timed from its scheduled time to its last byte; results go to
// stdout as one JSON line per phase.
//
//   node dist/bench/stall-load.js URL BOUNCERS STARTUP_KEYS [bouncers|probe|pulls]
//   (keys: bench-key-0..N-1, startup-key-0..M-1; `probe`: only the liveness probe, `pulls`: only the startup
//   pulls it is asked for, `bouncers`: the polling bouncers (and startup pulls if asked), no argument: all)

import readline from 'node:readline';
import { Client, Pool } from 'undici';

const [url, nBouncers, nStartup] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const mode = process.argv[5] ?? 'all';
const UA = 'crowdsec-firewall-bouncer/v0.0.31';

/** what one phase measured (read by bench/stall.bench.ts) */
export interface Phase {
  name: string;
  polls: number[];
  probes: number[];
  errors: number;
  startups: { ms: number; bytes: number; protobuf: boolean; status: number }[];
}

let phase: Phase = newPhase('baseline');
function newPhase(name: string): Phase {
  return { name, polls: [], probes: [], errors: 0, startups: [] };
}

const pool = new Pool(url, { connections: nBouncers, pipelining: 1, keepAliveTimeout: 60_000 });
const probeClient = new Client(url, { pipelining: 1 });
const startupPool = new Pool(url, { connections: Math.max(1, nStartup), pipelining: 1 });
let running = true;
/** bouncer polls in flight (at `stop`, the phase is reported once they ended) */
let inFlight = 0;

/** One GET, body read and discarded; resolves to [status, bytes]. */
async function get(p: Pool | Client, path: string, headers: Record<string, string>): Promise<[number, number]> {
  const r = await p.request({ method: 'GET', path, headers });
  let bytes = 0;
  for await (const c of r.body) bytes += (c as Buffer).length;
  return [r.statusCode, bytes];
}

/** bouncer i polls at i/N s past every second; a poll still in flight makes it skip a tick (a Go ticker does) */
function startBouncer(i: number, t0: number): void {
  let busy = false;
  const key = `bench-key-${i}`;
  const tick = (k: number): void => {
    if (!running) return;
    const due = t0 + k * 1000 + (i * 1000) / nBouncers;
    setTimeout(
      () => {
        if (!running) return;
        if (!busy) {
          busy = true;
          inFlight++;
          const at = performance.now();
          const ph = phase;
          get(pool, '/v1/decisions/stream?', { 'x-api-key': key, 'user-agent': UA }).then(
            ([status]) => {
              busy = false;
              inFlight--;
              if (status !== 200) ph.errors++;
              ph.polls.push(performance.now() - at);
            },
            () => {
              busy = false;
              inFlight--;
              ph.errors++;
            },
          );
        }
        tick(k + 1);
      },
      Math.max(0, due - performance.now()),
    );
  };
  tick(0);
}

function startProbe(): void {
  const loop = (due: number): void => {
    if (!running) return;
    setTimeout(
      () => {
        const ph = phase;
        get(probeClient, '/health', {}).then(
          ([status]) => {
            if (status !== 200) ph.errors++;
            ph.probes.push(performance.now() - due);
          },
          () => ph.errors++,
        );
        loop(due + 50);
      },
      Math.max(0, due - performance.now()),
    );
  };
  loop(performance.now());
}

async function startups(n: number): Promise<void> {
  const ph = phase;
  await Promise.all(
    Array.from({ length: n }, async (_, j) => {
      const protobuf = j % 2 === 1;
      const headers: Record<string, string> = { 'x-api-key': `startup-key-${j}`, 'user-agent': UA };
      if (protobuf) headers.accept = 'application/x-protobuf';
      const at = performance.now();
      try {
        const [status, bytes] = await get(startupPool, '/v1/decisions/stream?startup=true', headers);
        ph.startups.push({ ms: performance.now() - at, bytes, protobuf, status });
      } catch {
        ph.errors++;
      }
    }),
  );
}

function report(p: Phase): void {
  process.stdout.write(JSON.stringify(p) + '\n');
}

const t0 = performance.now() + 200;
if (mode === 'bouncers' || mode === 'all') for (let i = 0; i < nBouncers; i++) startBouncer(i, t0);
if (mode === 'probe' || mode === 'all') startProbe();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, arg] = line.trim().split(' ');
  if (cmd === 'phase') {
    report(phase);
    phase = newPhase(arg ?? '?');
  } else if (cmd === 'startups') {
    void startups(Number(arg)).then(() => process.stdout.write('{"startupsDone":true}\n'));
  } else if (cmd === 'stop') {
    running = false;
    void settle().then(() => {
      report(phase);
      void Promise.all([pool.close(), probeClient.close(), startupPool.close()]).finally(() => process.exit(0));
    });
  }
});

/** waits for the polls in flight to end (at most 120 s): a slow answer is counted, not dropped */
async function settle(): Promise<void> {
  const until = performance.now() + 120_000;
  while (inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
}
