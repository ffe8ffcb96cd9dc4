import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { SyslogSource, type SyslogSourceOptions } from '../../src/acquisition/syslog/server.js';
import { buildSyslogLine, parseRfc3164, parseRfc5424, parseSyslogFrame } from '../../src/acquisition/syslog/parse.js';
import type { SyslogConfig as SyslogCfg } from '../../src/acquisition/syslog/source.js';

const FIXED_NOW = new Date(Date.UTC(2026, 10, 25, 8, 30, 0));

function cfg(protocol: 'udp' | 'tcp' | 'both'): SyslogCfg {
  return { source: 'syslog', listenAddr: '127.0.0.1', listenPort: 0, protocol, labels: { type: 'syslog' } };
}

async function until(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collector(): { got: Array<[string, string]>; fn: (src: string, lines: string[]) => void } {
  const got: Array<[string, string]> = [];
  return {
    got,
    fn: (src, lines) => {
      for (const l of lines) got.push([src, l]);
    },
  };
}

async function withSource(
  protocol: 'udp' | 'tcp' | 'both',
  onLines: (src: string, lines: string[]) => void | Promise<void>,
  opts: SyslogSourceOptions,
  body: (s: SyslogSource, ports: { udpPort?: number; tcpPort?: number }) => Promise<void>,
): Promise<void> {
  const logs: string[] = [];
  const s = new SyslogSource(cfg(protocol), onLines, { log: (m) => logs.push(m), now: () => FIXED_NOW, ...opts });
  const ports = await s.start();
  try {
    await body(s, ports);
  } finally {
    await s.stop();
  }
}

async function sendUdp(port: number, frames: Array<string | Buffer>): Promise<void> {
  const c = dgram.createSocket('udp4');
  try {
    for (const f of frames)
      await new Promise<void>((res, rej) => c.send(f, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  } finally {
    c.close();
  }
}

async function sendTcp(port: number, data: Array<string | Buffer>): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => {
    sock.once('connect', () => res());
    sock.once('error', rej);
  });
  for (const d of data) await new Promise<void>((res, rej) => sock.write(d, (e) => (e ? rej(e) : res())));
  await new Promise<void>((res) => sock.end(() => res()));
}

test('parser: RFC 3164 frame into CrowdSec-style line', () => {
  const f = parseRfc3164("<34>Oct  1 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8");
  assert.ok(f);
  assert.equal(f.rfc, 'RFC3164');
  assert.equal(f.pri, 34);
  assert.equal(f.hostname, 'mymachine');
  assert.equal(f.tag, 'su');
  assert.equal(f.pid, '123');
  assert.equal(buildSyslogLine(f), "Oct 1 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8");
  const g = parseRfc3164('<13>Feb 12 01:02:03 host sshd: hello');
  assert.ok(g);
  assert.equal(buildSyslogLine(g), 'Feb 12 01:02:03 host sshd: hello');
});

test('parser: RFC 5424 frame, NILVALUEs and structured data', () => {
  const f = parseRfc5424(
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 42 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"x]"] An application event',
  );
  assert.ok(f);
  assert.equal(f.rfc, 'RFC5424');
  assert.equal(buildSyslogLine(f), 'Oct 11 22:14:15 mymachine.example.com evntslog[42]: An application event');
  const g = parseSyslogFrame('<34>1 - - - - - - msg only');
  assert.ok(g);
  assert.equal(g.rfc, 'RFC5424');
  assert.equal(buildSyslogLine(g, FIXED_NOW), 'Nov 25 08:30:00 unknownhost: msg only');
  // wall clock as written, offset kept
  const h = parseSyslogFrame('<14>1 2024-03-05T07:08:09+02:00 h app - - - x');
  assert.ok(h);
  assert.equal(buildSyslogLine(h), 'Mar 5 07:08:09 h app: x');
});

test('parser: malformed frames are rejected', () => {
  for (const bad of [
    '',
    'no pri at all',
    '<>1 - - - - - - x',
    '<999>Oct 11 22:14:15 h t: m',
    '<34>not a date',
    '<34>Oct 11 22:14:15 host',
    '<34>1 2003-13-11T22:14:15Z h a p m - x',
    '<12>1 - h a p m [unterminated',
  ]) {
    assert.equal(parseSyslogFrame(bad), null, bad);
  }
});

test('UDP: RFC 3164 and RFC 5424 frames are delivered as lines, counters per RFC', async () => {
  const c = collector();
  await withSource('udp', c.fn, {}, async (s, ports) => {
    assert.ok(ports.udpPort);
    assert.equal(ports.tcpPort, undefined);
    await sendUdp(ports.udpPort, [
      '<34>Oct 11 22:14:15 mymachine sshd[42]: Failed password for root from 1.2.3.4 port 22 ssh2\n',
      '<165>1 2003-10-11T22:14:15.003Z web1 nginx 77 - - GET /\n',
    ]);
    await until(() => c.got.length === 2, '2 lines');
    assert.deepEqual(
      c.got.map((x) => x[1]),
      [
        'Oct 11 22:14:15 mymachine sshd[42]: Failed password for root from 1.2.3.4 port 22 ssh2',
        'Oct 11 22:14:15 web1 nginx[77]: GET /',
      ],
    );
    assert.equal(c.got[0]![0], '127.0.0.1');
    assert.equal(s.stats.hits, 2);
    assert.deepEqual(s.stats.parsed, { RFC3164: 1, RFC5424: 1 });
    assert.deepEqual({ ...s.stats.bySource['127.0.0.1'] }, { hits: 2, RFC3164: 1, RFC5424: 1 });
  });
});

test('UDP: malformed and huge frames are counted and skipped, the source keeps working', async () => {
  const c = collector();
  await withSource('udp', c.fn, { maxMessageLen: 256 }, async (s, ports) => {
    await sendUdp(ports.udpPort!, [
      'garbage without priority',
      Buffer.alloc(4000, 0x41),
      '<13>Jan  2 03:04:05 h t: after',
    ]);
    await until(() => s.stats.hits === 3 && c.got.length === 1, 'the good frame');
    assert.equal(c.got[0]![1], 'Jan 2 03:04:05 h t: after');
    assert.equal(s.stats.malformed, 1);
    assert.equal(s.stats.tooLong, 1);
  });
});

test('TCP: newline framing, split across writes, CRLF', async () => {
  const c = collector();
  await withSource('tcp', c.fn, {}, async (s, ports) => {
    assert.ok(ports.tcpPort);
    await sendTcp(ports.tcpPort, [
      '<13>Jan 02 03:04:05 h1 app[1]: one\n<13>Jan 02 03:04:05 h1 app[1]: t',
      'wo\r\n',
      '<14>1 2020-01-02T03:04:05Z h2 svc - - - three\n',
    ]);
    await until(() => c.got.length === 3, '3 lines');
    assert.deepEqual(
      c.got.map((x) => x[1]),
      ['Jan 2 03:04:05 h1 app[1]: one', 'Jan 2 03:04:05 h1 app[1]: two', 'Jan 2 03:04:05 h2 svc: three'],
    );
    assert.deepEqual(s.stats.parsed, { RFC3164: 2, RFC5424: 1 });
  });
});

test('TCP: octet-counting framing (frames with embedded newlines, split length prefix), mixed with newline framing', async () => {
  const c = collector();
  await withSource('tcp', c.fn, {}, async (s, ports) => {
    const f1 = '<13>Jan 02 03:04:05 h app: multi\nline';
    const f2 = '<14>1 2020-01-02T03:04:05Z h svc 9 - - octet';
    const data = `${Buffer.byteLength(f1)} ${f1}${Buffer.byteLength(f2)} ${f2}<13>Jan 02 03:04:05 h app: nl\n`;
    // split inside the second length prefix and inside a frame
    const cut1 = Buffer.byteLength(f1) + 5,
      cut2 = data.indexOf(f2) + 1;
    await sendTcp(ports.tcpPort!, [data.slice(0, cut1), data.slice(cut1, cut2), data.slice(cut2)]);
    await until(() => c.got.length === 3, '3 lines');
    assert.deepEqual(
      c.got.map((x) => x[1]),
      ['Jan 2 03:04:05 h app: multi\nline', 'Jan 2 03:04:05 h svc[9]: octet', 'Jan 2 03:04:05 h app: nl'],
    );
    assert.equal(s.stats.malformed, 0);
  });
});

test('TCP: huge and malformed frames are counted, the connection resyncs', async () => {
  const c = collector();
  await withSource('tcp', c.fn, { maxMessageLen: 100 }, async (s, ports) => {
    const big = 'x'.repeat(5000);
    await sendTcp(ports.tcpPort!, [
      `5000 ${big}`, // octet-counted, too long: skipped by length
      `<13>Jan 02 03:04:05 h app: ${big}\n`, // newline framed, too long
      '12abc not a length\n', // broken octet prefix
      'junk line\n', // not syslog
      '<13>Jan 02 03:04:05 h app: ok\n',
    ]);
    await until(() => c.got.length === 1 && s.stats.hits === 5, 'the good frame');
    assert.equal(c.got[0]![1], 'Jan 2 03:04:05 h app: ok');
    assert.equal(s.stats.tooLong, 2);
    assert.equal(s.stats.malformed, 2);
  });
});

test('back-pressure: a slow consumer makes frames beyond the bound drop, counted and logged; accepted lines intact and in order', async () => {
  const got: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const logs: string[] = [];
  const onLines = async (_src: string, lines: string[]): Promise<void> => {
    await gate;
    got.push(...lines);
  };
  const s = new SyslogSource(cfg('tcp'), onLines, { queueSize: 5, batchSize: 2, log: (m) => logs.push(m) });
  const { tcpPort } = await s.start();
  try {
    const N = 200;
    const frames: string[] = [];
    for (let i = 0; i < N; i++) frames.push(`<13>Jan 02 03:04:05 h app[${i}]: seq=${i} payload-${'p'.repeat(i % 7)}\n`);
    // several writes so that the consumer is already blocked while later frames arrive
    for (let k = 0; k < N; k += 20) await sendTcp(tcpPort!, [frames.slice(k, k + 20).join('')]);
    await until(() => s.stats.hits === N, `${N} hits`);
    assert.ok(s.stats.dropped > 0, 'some frames dropped');
    assert.ok(
      logs.some((l) => l.includes('dropping')),
      'drop logged',
    );
    release();
    await until(() => got.length === N - s.stats.dropped, 'accepted lines delivered');
    assert.equal(s.stats.delivered, got.length);
    let last = -1;
    for (const l of got) {
      const m = /^Jan 2 03:04:05 h app\[(\d+)\]: seq=(\d+) payload-(p*)$/.exec(l);
      assert.ok(m, `intact line: ${l}`);
      const i = Number(m[1]);
      assert.equal(Number(m[2]), i);
      assert.equal(m[3]!.length, i % 7);
      assert.ok(i > last, 'in order');
      last = i;
    }
  } finally {
    release();
    await s.stop();
  }
});

test('protocol both: UDP and TCP listeners on loopback, stop closes them', async () => {
  const c = collector();
  const s = new SyslogSource(cfg('both'), c.fn, { log: () => undefined });
  const ports = await s.start();
  assert.ok(ports.udpPort && ports.tcpPort);
  await sendTcp(ports.tcpPort, ['<13>Jan 02 03:04:05 h app: tcp\n']);
  await sendUdp(ports.udpPort, ['<13>Jan 02 03:04:05 h app: udp']);
  await until(() => c.got.length === 2, '2 lines');
  assert.deepEqual(c.got.map((x) => x[1]).sort(), ['Jan 2 03:04:05 h app: tcp', 'Jan 2 03:04:05 h app: udp']);
  await s.stop();
  await assert.rejects(sendTcp(ports.tcpPort, ['x\n']));
});

test('start() rejects with the address when the port is taken', async () => {
  const a = new SyslogSource(cfg('tcp'), () => undefined, { log: () => undefined });
  const { tcpPort } = await a.start();
  try {
    const b = new SyslogSource({ ...cfg('tcp'), listenPort: tcpPort! }, () => undefined, { log: () => undefined });
    await assert.rejects(b.start(), /syslog: cannot listen on 127\.0\.0\.1:\d+ \(tcp\)/);
  } finally {
    await a.stop();
  }
});
