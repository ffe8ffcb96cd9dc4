// Acquisition settings of CrowdSec's file, syslog and journalctl sources: each key works (exclude_regexps,
// max_buffer_size, max_message_len, since, mode: tail|cat, use_time_machine, transform: see
// source-keys.test.ts, discovery_poll_*, force_inotify) or is refused with the file, line, document and key
// (unique_id, mode: cat on a syslog source); an acquis.yaml copied from Debian's crowdsec package plus an
// acquis.d/ folder load together.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAcquisitionPaths, parseAcquisition, AcquisitionConfigError } from '../../src/acquisition/config.js';
import { sourceModule } from '../../src/acquisition/sources.js';
import type { DataSource, SourceContext } from '../../src/acquisition/source.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'picket-acq-settings-'));
}

/** runs a source until `until` holds for the pushed lines (bounded), then stops it */
async function collect(src: DataSource, got: string[], until: () => boolean, kick?: () => void): Promise<void> {
  await src.start();
  src.run();
  kick?.();
  const deadline = Date.now() + 10_000;
  while (!until() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await src.stop();
  assert.ok(until(), `lines seen: ${JSON.stringify(got)}`);
}

function ctx(got: string[]): SourceContext {
  return {
    push: (lines) => {
      got.push(...lines);
    },
    log: () => undefined,
    pollMs: 20,
    fromStart: true,
  };
}

test('unimplemented keys are refused naming the file, the line, the document and the key', () => {
  const cases: [string, RegExp][] = [
    [
      'source: syslog\nmode: cat\nlabels: {type: t}\n',
      /^acq\.yaml:2: document 1: "mode: cat" is not supported by the syslog source/,
    ],
    ['filenames: [/x]\nmode: head\nlabels: {type: t}\n', /^acq\.yaml:2: document 1: invalid "mode: head"/],
    ['filenames: [/x]\nlabels: {type: t}\nuse_time_machine: yes please\n', /^acq\.yaml:3: .*"use_time_machine"/],
    [
      'filenames: [/x]\nlabels: {type: t}\n---\nsource: journalctl\njournalctl_filter: [a=b]\nunique_id: x\nlabels: {type: t}\n',
      /^acq\.yaml:6: document 2: "unique_id" is not supported/,
    ],
    [
      'filenames: [/x]\ndiscovery_poll_enable: maybe\nlabels: {type: t}\n',
      /^acq\.yaml:2: .*"discovery_poll_enable": expected true or false/,
    ],
    [
      'filenames: [/x]\ndiscovery_poll_interval: soon\nlabels: {type: t}\n',
      /^acq\.yaml:2: .*"discovery_poll_interval"/,
    ],
    ['filenames: [/x]\nforce_inotify: 2\nlabels: {type: t}\n', /^acq\.yaml:2: .*"force_inotify": expected true/],
    [
      'filenames: [/x]\nlabels: {type: t}\nbogus: 1\n',
      /^acq\.yaml:3: document 1: unknown field "bogus" for source file/,
    ],
    ['filenames: [/x]\nexclude_regexps: ["("]\nlabels: {type: t}\n', /^acq\.yaml:2: .*"exclude_regexps"\[0\]/],
    ['filenames: [/x]\nmax_buffer_size: -1\nlabels: {type: t}\n', /^acq\.yaml:2: .*"max_buffer_size"/],
    ['source: syslog\nmax_message_len: zero\nlabels: {type: t}\n', /^acq\.yaml:2: .*"max_message_len"/],
    ['source: journalctl\njournalctl_filter: [a=b]\nsince: --all\nlabels: {type: t}\n', /^acq\.yaml:3: .*"since"/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseAcquisition(text, 'acq.yaml'),
      (e: Error) => {
        assert.ok(e instanceof AcquisitionConfigError, e.message);
        assert.match(e.message, re);
        return true;
      },
      text,
    );
  }
  // accepted: mode tail, poll_without_inotify (Picket always polls), name, log_level
  const ok = parseAcquisition(
    'filenames: [/x]\nmode: tail\npoll_without_inotify: true\nname: web\nlog_level: info\nlabels: {type: t}\n',
    'a.yaml',
  );
  assert.equal(ok.length, 1);
});

test('file: discovery_poll_interval makes a new file be found that often; force_inotify accepted', async () => {
  const dir = tmp();
  try {
    const [cfg] = parseAcquisition(
      `filenames: ["${dir}/*.log"]\nforce_inotify: true\ndiscovery_poll_enable: true\n` +
        'discovery_poll_interval: 50ms\nlabels: {type: t}\n',
      'a.yaml',
    );
    const got: string[] = [];
    // the agent's poll is a minute: only the source's discovery interval can find the file in time
    const src = sourceModule('file')!.create(cfg!, { ...ctx(got), pollMs: 60_000 });
    await collect(
      src,
      got,
      () => got.includes('late line'),
      () => setTimeout(() => fs.writeFileSync(path.join(dir, 'new.log'), 'late line\n'), 100),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file: exclude_regexps leaves the matching files unread; max_buffer_size cuts longer lines', async () => {
  const dir = tmp();
  try {
    fs.writeFileSync(path.join(dir, 'app.log'), 'kept line\n');
    fs.writeFileSync(path.join(dir, 'app.log.debug'), 'excluded line\n');
    fs.writeFileSync(path.join(dir, 'long.txt'), `${'x'.repeat(100)}\nshort\n`);
    const [cfg] = parseAcquisition(
      `filenames: ["${dir}/app.log*", "${dir}/long.txt"]\nexclude_regexps: ["\\\\.debug$"]\nmax_buffer_size: 40\nlabels: {type: t}\n`,
      'a.yaml',
    );
    const got: string[] = [];
    const src = sourceModule('file')!.create(cfg!, ctx(got));
    await collect(src, got, () => got.includes('kept line') && got.includes('short'));
    assert.ok(!got.includes('excluded line'), 'the excluded file is not read');
    const cut = got.find((l) => l.startsWith('x'));
    assert.ok(cut !== undefined && cut.length <= 40, `cut to max_buffer_size: ${cut?.length}`);
    assert.doesNotMatch(src.describe(), /2 files/, 'describe counts the files read');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('syslog: max_message_len drops longer messages, shorter ones go through', async () => {
  const [cfg] = parseAcquisition(
    'source: syslog\nlisten_addr: 127.0.0.1\nlisten_port: 0\nprotocol: udp\nmax_message_len: 120\nlabels: {type: syslog}\n',
    'a.yaml',
  );
  const got: string[] = [];
  const src = sourceModule('syslog')!.create(cfg!, ctx(got));
  const sock = dgram.createSocket('udp4');
  try {
    await collect(
      src,
      got,
      () => got.some((l) => l.includes('short one')),
      () => {
        const port = Number(/udp\/(\d+)/.exec(src.describe())?.[1]);
        const long = `<13>Mar  3 10:00:00 host app: ${'y'.repeat(200)}`;
        sock.send(long, port, '127.0.0.1');
        setTimeout(() => sock.send('<13>Mar  3 10:00:01 host app: short one', port, '127.0.0.1'), 50);
      },
    );
    assert.ok(!got.some((l) => l.includes('yyyy')), 'the long message is dropped');
  } finally {
    sock.close();
  }
});

test('journalctl: since is given to journalctl (entries since then, no -n 0)', async () => {
  const dir = tmp();
  const oldPath = process.env.PATH;
  try {
    const argsFile = path.join(dir, 'args');
    fs.writeFileSync(
      path.join(dir, 'journalctl'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n` +
        `echo '{"__REALTIME_TIMESTAMP":"1764059400123456","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"hello"}'\nexec sleep 30\n`,
      { mode: 0o755 },
    );
    process.env.PATH = `${dir}:${oldPath ?? ''}`;
    const [cfg] = parseAcquisition(
      'source: journalctl\njournalctl_filter: [_SYSTEMD_UNIT=ssh.service]\nsince: 1h ago\nlabels: {type: syslog}\n',
      'a.yaml',
    );
    const got: string[] = [];
    const src = sourceModule('journalctl')!.create(cfg!, ctx(got));
    await collect(src, got, () => got.some((l) => l.endsWith('hello')));
    const args = fs.readFileSync(argsFile, 'utf8').trim().split('\n');
    assert.deepEqual(args, ['--follow', '--since', '1h ago', '-o', 'json', '_SYSTEMD_UNIT=ssh.service']);
  } finally {
    process.env.PATH = oldPath;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Debian's acquis.yaml unchanged plus an acquis.d/ folder: every document, in order", () => {
  const dir = tmp();
  try {
    const debian = '/etc/crowdsec/acquis.yaml';
    const main = path.join(dir, 'acquis.yaml');
    if (fs.existsSync(debian)) fs.copyFileSync(debian, main);
    else fs.writeFileSync(main, 'filenames:\n - /var/log/auth.log\nlabels:\n  type: syslog\n');
    const d = path.join(dir, 'acquis.d');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'b-nginx.yaml'), 'filenames: [/var/log/nginx/x.log]\nlabels: {type: nginx}\n');
    fs.writeFileSync(path.join(d, 'a-syslog.yml'), 'source: syslog\nlisten_port: 5514\nlabels: {type: syslog}\n');
    fs.writeFileSync(path.join(d, 'README'), 'not yaml');
    const fromMain = loadAcquisitionPaths([main]);
    const all = loadAcquisitionPaths([main, d]);
    assert.equal(all.length, fromMain.length + 2);
    assert.deepEqual(
      all.slice(fromMain.length).map((s) => s.source),
      ['syslog', 'file'],
    );
    fs.writeFileSync(path.join(d, 'c-bad.yaml'), 'filenames: [/x]\nlabels: {type: t}\nunique_id: x\n');
    assert.throws(() => loadAcquisitionPaths([main, d]), /c-bad\.yaml:3: document 1: "unique_id"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
