// The real `crowdsec-custom-bouncer` run against a LAPI URL with a recorder script as its binary: every
// decision it is told about becomes a line `add|del VALUE SECONDS SCENARIO JSON` in a file. Owns: the
// bouncer's config and reading/waiting on the recorded lines.

import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { startProcess, waitFor, GiveUp, type Spawned } from './proc.js';

export interface BouncerCall {
  action: string;
  value: string;
  seconds: number;
  decision: Record<string, unknown> | undefined;
  line: string;
}

export class CustomBouncer {
  private constructor(
    readonly proc: Spawned,
    readonly callsFile: string,
  ) {}

  static start(dir: string, apiUrl: string, apiKey: string): CustomBouncer {
    fs.mkdirSync(dir, { recursive: true });
    const callsFile = path.join(dir, 'calls.log');
    fs.writeFileSync(callsFile, '');
    const recorder = path.join(dir, 'record.sh');
    fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${callsFile}'\n`, { mode: 0o755 });
    const config = path.join(dir, 'custom-bouncer.yaml');
    fs.writeFileSync(
      config,
      stringify({
        bin_path: recorder,
        feed_via_stdin: false,
        total_retries: 0,
        scenarios_containing: [],
        scenarios_not_containing: [],
        origins: [],
        piddir: dir + '/',
        update_frequency: '1s',
        cache_retention_duration: '10s',
        daemonize: false,
        log_mode: 'stdout',
        log_dir: dir + '/',
        log_level: 'debug',
        api_url: apiUrl,
        api_key: apiKey,
        prometheus: { enabled: false, listen_addr: '127.0.0.1', listen_port: 60602 },
      }),
      { mode: 0o600 },
    );
    return new CustomBouncer(
      startProcess('custom-bouncer', 'crowdsec-custom-bouncer', ['-c', config], { logDir: dir }),
      callsFile,
    );
  }

  calls(): BouncerCall[] {
    return fs
      .readFileSync(this.callsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [action = '', value = '', seconds = ''] = line.split(' ');
        const j = line.indexOf(' {');
        let decision: Record<string, unknown> | undefined;
        try {
          decision = j >= 0 ? (JSON.parse(line.slice(j + 1)) as Record<string, unknown>) : undefined;
        } catch {
          decision = undefined;
        }
        return { action, value, seconds: Number(seconds), decision, line };
      });
  }

  /** Waits for a call `action value` recorded after the first `from` calls. */
  waitCall(action: 'add' | 'del', value: string, from: number, timeoutMs = 20_000): Promise<BouncerCall> {
    let exit: number | string | undefined;
    void this.proc.exited.then((c) => {
      exit = c;
    });
    return waitFor(`the custom bouncer to run '${action} ${value}'`, timeoutMs, () => {
      if (exit !== undefined) throw new GiveUp(`custom bouncer exited (${exit}):\n${this.proc.tail(15)}`);
      return this.calls()
        .slice(from)
        .find((c) => c.action === action && c.value === value);
    });
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
