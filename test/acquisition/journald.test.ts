import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournaldSource, findExecutable, journalEntryLines } from '../../src/acquisition/journald/journalctl.js';
import type { JournalConfig as JournalCfg } from '../../src/acquisition/journald/source.js';

const cfg: JournalCfg = {
  source: 'journalctl',
  journalctlFilter: ['_SYSTEMD_UNIT=ssh.service'],
  labels: { type: 'syslog' },
};

async function until(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** local-time journalctl `short` timestamp of a __REALTIME_TIMESTAMP, computed independently */
function shortTs(us: number): string {
  const d = new Date(us / 1000);
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${mon} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const T1 = 1764059400123456; // µs

function fakeJournalctl(dir: string, body: string): string {
  const p = path.join(dir, 'fake-journalctl');
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

test('journalEntryLines: CrowdSec/journalctl short format', () => {
  const ts = shortTs(T1);
  assert.deepEqual(
    journalEntryLines({
      __REALTIME_TIMESTAMP: String(T1),
      _HOSTNAME: 'host',
      SYSLOG_IDENTIFIER: 'sshd',
      _PID: '42',
      MESSAGE: 'Accepted key',
    }),
    [`${ts} host sshd[42]: Accepted key`],
  );
  // byte-array MESSAGE, _COMM fallback, no pid
  assert.deepEqual(
    journalEntryLines({ __REALTIME_TIMESTAMP: String(T1), _HOSTNAME: 'h', _COMM: 'kernel', MESSAGE: [104, 195, 169] }),
    [`${ts} h kernel: hé`],
  );
  // multi-line: continuation lines indented to the message column
  const prefix = `${ts} h app[1]: `;
  assert.deepEqual(
    journalEntryLines({
      __REALTIME_TIMESTAMP: String(T1),
      _HOSTNAME: 'h',
      SYSLOG_IDENTIFIER: 'app',
      SYSLOG_PID: '1',
      MESSAGE: 'a\nb',
    }),
    [prefix + 'a', ' '.repeat(prefix.length) + 'b'],
  );
  assert.equal(journalEntryLines({ MESSAGE: null }), null);
});

test('journald: fake journalctl, args, lines, malformed JSON and stderr counted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-journald-'));
  try {
    const argsFile = path.join(dir, 'args');
    const bin = fakeJournalctl(
      dir,
      [
        `printf '%s\\n' "$@" > '${argsFile}'`,
        `echo '{"__REALTIME_TIMESTAMP":"${T1}","_HOSTNAME":"srv","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":"Failed password for root from 1.2.3.4 port 22 ssh2"}'`,
        `echo 'this is not json'`,
        `echo '[1,2]'`,
        `echo '{"__REALTIME_TIMESTAMP":"${T1}","_HOSTNAME":"srv","SYSLOG_IDENTIFIER":"sshd","MESSAGE":null}'`,
        `echo 'some warning' >&2`,
        `echo '{"__REALTIME_TIMESTAMP":"${T1}","_HOSTNAME":"srv","SYSLOG_IDENTIFIER":"sshd","_PID":"8","MESSAGE":[98,121,116,101,115]}'`,
        'exec sleep 30',
      ].join('\n'),
    );
    const got: Array<[string, string]> = [];
    const logs: string[] = [];
    const s = new JournaldSource(
      cfg,
      async (src, lines) => {
        for (const l of lines) got.push([src, l]);
      },
      { journalctlPath: bin, log: (m) => logs.push(m) },
    );
    await s.start();
    try {
      await until(() => got.length === 2 && s.stats.malformed === 2 && s.stats.stderrLines === 1, 'lines');
      const ts = shortTs(T1);
      assert.deepEqual(got, [
        [
          'journalctl-_SYSTEMD_UNIT=ssh.service',
          `${ts} srv sshd[7]: Failed password for root from 1.2.3.4 port 22 ssh2`,
        ],
        ['journalctl-_SYSTEMD_UNIT=ssh.service', `${ts} srv sshd[8]: bytes`],
      ]);
      assert.equal(s.stats.noMessage, 1);
      await until(() => s.stats.hits === 2, 'hits');
      assert.ok(logs.some((l) => l.includes('some warning')));
      assert.deepEqual(fs.readFileSync(argsFile, 'utf8').trim().split('\n'), [
        '--follow',
        '-n',
        '0',
        '-o',
        'json',
        '_SYSTEMD_UNIT=ssh.service',
      ]);
    } finally {
      await s.stop();
    }
    assert.equal(s.stats.restarts, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('journald: journalctl is restarted with backoff when it exits', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-journald-'));
  try {
    const bin = fakeJournalctl(
      dir,
      `printf '%s' '{"__REALTIME_TIMESTAMP":"${T1}","SYSLOG_IDENTIFIER":"x","MESSAGE":"run"}'\nexit 1`,
    );
    const got: string[] = [];
    const logs: string[] = [];
    const s = new JournaldSource(
      cfg,
      (_src, lines) => {
        got.push(...lines);
      },
      { journalctlPath: bin, restartMinMs: 10, restartMaxMs: 40, log: (m) => logs.push(m) },
    );
    await s.start();
    try {
      await until(() => s.stats.restarts >= 3 && got.length >= 3, 'restarts');
      assert.ok(got.every((l) => l.endsWith(' x: run')));
      assert.ok(logs.some((l) => l.includes('exited (code 1)')));
    } finally {
      await s.stop();
    }
    const n = s.stats.restarts;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.stats.restarts, n, 'no restart after stop');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('journald: start() rejects clearly when journalctl does not exist', async () => {
  const s = new JournaldSource(cfg, () => undefined, {
    journalctlPath: '/nonexistent/dir/journalctl',
    log: () => undefined,
  });
  await assert.rejects(s.start(), /not found or not executable/);
  const t = new JournaldSource(cfg, () => undefined, {
    journalctlPath: 'picket-no-such-journalctl-binary',
    log: () => undefined,
  });
  await assert.rejects(t.start(), /picket-no-such-journalctl-binary.*not found/);
});

test('journald: real journalctl (when installed)', async (t) => {
  const real = findExecutable('journalctl');
  if (!real) {
    t.skip('journalctl not installed');
    return;
  }
  // a short follow run against the host journal: whatever it prints must parse as JSON and become short lines
  const logs: string[] = [];
  const got: string[] = [];
  const s = new JournaldSource(
    { ...cfg, journalctlFilter: ['_PID=1'] },
    (_src, lines) => {
      got.push(...lines);
    },
    { log: (m) => logs.push(m), restartMinMs: 60000 },
  );
  await s.start();
  try {
    await new Promise((r) => setTimeout(r, 300));
    // without a journal (containers) journalctl prints to stderr and may exit: that is logged, never thrown
    assert.equal(s.stats.malformed, 0, `malformed output from real journalctl; logs: ${logs.join(' | ')}`);
    for (const l of got) assert.match(l, /^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} /);
  } finally {
    await s.stop();
  }
  t.diagnostic(
    `real journalctl: ${got.length} lines, ${s.stats.stderrLines} stderr lines, restarts ${s.stats.restarts}`,
  );
});

test('journald: a slow consumer pauses journalctl output, nothing lost, order kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-journald-'));
  try {
    const N = 2000;
    const bin = fakeJournalctl(
      dir,
      `i=0\nwhile [ $i -lt ${N} ]; do echo "{\\"__REALTIME_TIMESTAMP\\":\\"${T1}\\",\\"SYSLOG_IDENTIFIER\\":\\"seq\\",\\"MESSAGE\\":\\"n=$i\\"}"; i=$((i+1)); done\nexec sleep 30`,
    );
    const got: string[] = [];
    let calls = 0;
    const s = new JournaldSource(
      cfg,
      async (_src, lines) => {
        calls++;
        await new Promise((r) => setImmediate(r));
        got.push(...lines);
      },
      { journalctlPath: bin, log: () => undefined },
    );
    await s.start();
    try {
      await until(() => got.length === N, `${N} lines`, 20000);
      got.forEach((l, i) => assert.ok(l.endsWith(` seq: n=${i}`), l));
      assert.equal(s.stats.hits, N);
      assert.ok(calls >= 1);
    } finally {
      await s.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
