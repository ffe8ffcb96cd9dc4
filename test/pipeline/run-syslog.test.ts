import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAgent } from '../agent-child.js';

test('picket run with a syslog source (UDP on 127.0.0.1): frames become alerts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-run-syslog-'));
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(
    acquis,
    'source: syslog\nlisten_addr: 127.0.0.1\nlisten_port: 0\nprotocol: udp\nlabels:\n  type: syslog\n',
  );
  const a = spawnAgent(acquis, path.join(dir, 'data'), '0', ['-o', 'json']);
  const child = a.child;
  const sock = dgram.createSocket('udp4');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line\nstderr:${a.err()}`)), 20000);
      const check = () => {
        const m = /udp\/(\d+)/.exec(a.err());
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stderr!.on('data', check);
      child.on('exit', () => reject(new Error(`picket run exited\nstderr:${a.err()}`)));
    });
    const now = new Date();
    const stamp =
      now.toUTCString().slice(8, 11) +
      ' ' +
      String(now.getUTCDate()).padStart(2, ' ') +
      ' ' +
      now.toISOString().slice(11, 19);
    for (let i = 0; i < 10; i++) {
      const frame = `<38>${stamp} web01 sshd[${200 + i}]: Failed password for root from 198.51.100.23 port ${41000 + i} ssh2`;
      await new Promise<void>((r, j) => sock.send(frame, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no alert\nstdout:${a.out()}\nstderr:${a.err()}`)), 15000);
      const check = () => {
        if (/198\.51\.100\.23/.test(a.out())) {
          clearTimeout(timer);
          resolve();
        }
      };
      check();
      child.stdout!.on('data', check);
    });
    const alert = JSON.parse(
      a
        .out()
        .split('\n')
        .find((l) => l.includes('198.51.100.23'))!,
    ) as {
      scenario: string;
      source: { value: string };
    };
    assert.match(alert.scenario, /ssh/);
    assert.equal(alert.source.value, '198.51.100.23');
  } finally {
    sock.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.match(a.err(), /stopped \(SIGTERM\)/);
});
