// Shared test helper: `picket run` as an agent child process (its Local API on 127.0.0.1 port 0, no metrics
// endpoint) with its standard output and error collected, as the pipeline and run tests start it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'), 'bin/picket.js');

export interface AgentChild {
  child: ChildProcess;
  out(): string;
  err(): string;
}

/** spawns `picket run --acquis ACQUIS --data DATA --workers N --listen 127.0.0.1:0 --metrics off ...extra` */
export function spawnAgent(
  acquis: string,
  data: string,
  workers: string,
  extra: string[] = [],
  stdin: 'ignore' | 'pipe' = 'ignore',
): AgentChild {
  const args = ['run', '--acquis', acquis, '--data', data, '--workers', workers, '--listen', '127.0.0.1:0'];
  const child = spawn(process.execPath, [BIN, ...args, '--metrics', 'off', ...extra], {
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { child, out: () => out, err: () => err };
}
