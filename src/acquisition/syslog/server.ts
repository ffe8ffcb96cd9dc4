// Syslog server acquisition (`source: syslog`), like CrowdSec's syslog datasource: UDP and/or TCP
// listeners on listen_addr:listen_port. UDP: one frame per datagram. TCP (RFC 6587): octet-counting
// framing (`LEN SP MSG`, detected by a leading digit) and newline framing, mixed on one connection.
// Frames are parsed as RFC 3164 then RFC 5424 (parse.ts) and turned into the RFC3164-like line
// CrowdSec builds. Malformed and over-long frames are counted and skipped.
// Back-pressure: a bounded queue sits between the listeners and the consumer; the consumer's promise is
// awaited before the next batch. Frames arriving while the queue is full are dropped, counted in
// `stats.dropped` and logged (once when dropping starts, then at most once per interval with the count).
// Counters are plain objects for the metrics layer (cs_syslogsource_hits_total, cs_syslogsource_parsed_total).

import dgram from 'node:dgram';
import net from 'node:net';
import type { SyslogConfig as SyslogSourceConfig } from './source.js';
import { buildSyslogLine, parseSyslogFrame } from './parse.js';
import { errorMessage } from '../../core/errors.js';

export interface SyslogSourceOptions {
  /** longest accepted frame in bytes, excluding TCP framing (default 2048, CrowdSec's max_message_len default) */
  maxMessageLen?: number;
  /** frames waiting for the consumer before new ones are dropped (default 10000) */
  queueSize?: number;
  /** most lines handed to one onLines call (default 500) */
  batchSize?: number;
  /** interval of the "frames dropped" log line, ms (default 10000) */
  dropLogIntervalMs?: number;
  /** most simultaneous TCP connections (default 1024) */
  maxConnections?: number;
  log?: (msg: string) => void;
  /** clock for frames without a timestamp (tests) */
  now?: () => Date;
}

export interface SyslogClientStats {
  hits: number;
  RFC3164: number;
  RFC5424: number;
}

export interface SyslogStats {
  /** frames received (before parsing, like cs_syslogsource_hits_total) */
  hits: number;
  /** frames parsed, per RFC (cs_syslogsource_parsed_total{type}) */
  parsed: { RFC3164: number; RFC5424: number };
  /** frames neither RFC accepted, or broken TCP framing */
  malformed: number;
  /** frames longer than maxMessageLen */
  tooLong: number;
  /** frames dropped because the queue was full */
  dropped: number;
  /** lines handed to the consumer */
  delivered: number;
  /** consumer callbacks that threw / rejected */
  consumerErrors: number;
  /** per client address (the `source` label), null-prototype */
  bySource: Record<string, SyslogClientStats>;
}

interface Queued {
  src: string;
  line: string;
}

const MAX_LEN_DIGITS = 9;

export class SyslogSource {
  readonly stats: SyslogStats = {
    hits: 0,
    parsed: { RFC3164: 0, RFC5424: 0 },
    malformed: 0,
    tooLong: 0,
    dropped: 0,
    delivered: 0,
    consumerErrors: 0,
    bySource: Object.create(null) as Record<string, SyslogClientStats>,
  };

  private readonly o: Required<SyslogSourceOptions>;
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly conns = new Set<net.Socket>();
  private queue: Queued[] = [];
  private head = 0;
  private pumping: Promise<void> | null = null;
  private scheduled = false;
  private running = false;
  private droppedSinceLog = 0;
  private dropTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly cfg: SyslogSourceConfig,
    private readonly onLines: (src: string, lines: string[]) => void | Promise<void>,
    opts: SyslogSourceOptions = {},
  ) {
    this.o = {
      maxMessageLen: 2048,
      queueSize: 10000,
      batchSize: 500,
      dropLogIntervalMs: 10000,
      maxConnections: 1024,
      log: (m) => process.stderr.write(`syslog ${cfg.listenAddr}:${cfg.listenPort}: ${m}\n`),
      now: () => new Date(),
      ...opts,
    };
  }

  /** Binds the listeners; resolves with the bound ports (useful with listenPort 0). */
  async start(): Promise<{ udpPort?: number; tcpPort?: number }> {
    if (this.running) throw new Error('syslog source already started');
    this.running = true;
    const out: { udpPort?: number; tcpPort?: number } = {};
    const { listenAddr: addr, listenPort: port, protocol } = this.cfg;
    try {
      if (protocol === 'udp' || protocol === 'both') out.udpPort = await this.startUdp(addr, port);
      if (protocol === 'tcp' || protocol === 'both') out.tcpPort = await this.startTcp(addr, port);
    } catch (e) {
      await this.stop();
      throw new Error(`syslog: cannot listen on ${addr}:${port} (${protocol}): ${errorMessage(e)}`, {
        cause: e,
      });
    }
    return out;
  }

  private startUdp(addr: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket({ type: net.isIPv6(addr) ? 'udp6' : 'udp4' });
      this.udp = sock;
      sock.once('error', reject);
      sock.on('message', (msg, rinfo) => this.onUdp(msg, rinfo.address));
      sock.bind(port, addr, () => {
        sock.off('error', reject);
        sock.on('error', (e) => this.o.log(`udp socket error: ${e.message}`));
        resolve(sock.address().port);
      });
    });
  }

  private startTcp(addr: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer((s) => this.onConnection(s));
      srv.maxConnections = this.o.maxConnections;
      this.tcp = srv;
      srv.once('error', reject);
      srv.listen(port, addr, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.o.log(`tcp server error: ${e.message}`));
        resolve((srv.address() as net.AddressInfo).port);
      });
    });
  }

  private onUdp(msg: Buffer, client: string): void {
    let len = msg.length;
    while (len > 0 && (msg[len - 1] === 10 || msg[len - 1] === 13 || msg[len - 1] === 0)) len--;
    this.frame(client, msg, 0, len);
  }

  private onConnection(sock: net.Socket): void {
    this.conns.add(sock);
    const client = sock.remoteAddress ?? 'unknown';
    let buf: Buffer = Buffer.alloc(0);
    /** bytes of an over-long octet-counted frame still to skip */
    let skipBytes = 0;
    /** an over-long newline-framed frame is being skipped up to its newline */
    let skipLine = false;
    const max = this.o.maxMessageLen;
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let i = 0;
      for (;;) {
        if (skipBytes > 0) {
          const n = Math.min(skipBytes, buf.length - i);
          skipBytes -= n;
          i += n;
          if (skipBytes > 0) break;
          continue;
        }
        if (skipLine) {
          const nl = buf.indexOf(10, i);
          if (nl < 0) {
            i = buf.length;
            break;
          }
          skipLine = false;
          i = nl + 1;
          continue;
        }
        if (i >= buf.length) break;
        const c = buf[i]!;
        if (c === 10 || c === 13 || c === 0) {
          i++;
          continue;
        } // stray separators between frames
        if (c >= 48 && c <= 57) {
          // octet counting: LEN SP MSG
          let j = i,
            n = 0;
          while (j < buf.length && j - i < MAX_LEN_DIGITS && buf[j]! >= 48 && buf[j]! <= 57) {
            n = n * 10 + (buf[j]! - 48);
            j++;
          }
          if (j >= buf.length) break; // need more bytes
          if (buf[j] !== 32 || n === 0) {
            // not a valid length prefix: count the frame as malformed and resync on the next newline
            this.stats.hits++;
            this.stats.malformed++;
            this.client(client).hits++;
            skipLine = true;
            continue;
          }
          const start = j + 1;
          if (n > max) {
            this.stats.hits++;
            this.stats.tooLong++;
            this.client(client).hits++;
            i = start;
            skipBytes = n;
            continue;
          }
          if (buf.length - start < n) break; // incomplete frame
          let end = start + n;
          while (end > start && (buf[end - 1] === 10 || buf[end - 1] === 13)) end--;
          this.frame(client, buf, start, end);
          i = start + n;
          continue;
        }
        // newline framing
        const nl = buf.indexOf(10, i);
        if (nl < 0) {
          if (buf.length - i > max) {
            this.stats.hits++;
            this.stats.tooLong++;
            this.client(client).hits++;
            skipLine = true;
            i = buf.length;
          }
          break;
        }
        let end = nl;
        if (end > i && buf[end - 1] === 13) end--;
        if (end - i > max) {
          this.stats.hits++;
          this.stats.tooLong++;
          this.client(client).hits++;
        } else this.frame(client, buf, i, end);
        i = nl + 1;
      }
      buf = i >= buf.length ? Buffer.alloc(0) : buf.subarray(i);
    });
    sock.on('error', () => {
      /* reset by peer etc.: the connection is just closed */
    });
    sock.on('close', () => {
      this.conns.delete(sock);
      // a last newline-framed frame without its newline (not an incomplete octet-counted one)
      if (buf.length && !skipLine && skipBytes === 0 && !(buf[0]! >= 48 && buf[0]! <= 57) && buf.length <= max) {
        let end = buf.length;
        while (end > 0 && buf[end - 1] === 13) end--;
        if (end > 0) this.frame(client, buf, 0, end);
      }
      buf = Buffer.alloc(0);
    });
  }

  private client(src: string): SyslogClientStats {
    let c = this.stats.bySource[src];
    if (!c) {
      c = { hits: 0, RFC3164: 0, RFC5424: 0 };
      this.stats.bySource[src] = c;
    }
    return c;
  }

  /** One frame, bytes [start, end) of buf. */
  private frame(src: string, buf: Buffer, start: number, end: number): void {
    if (!this.running) return;
    this.stats.hits++;
    const cs = this.client(src);
    cs.hits++;
    if (end - start > this.o.maxMessageLen) {
      this.stats.tooLong++;
      return;
    }
    if (this.queue.length - this.head >= this.o.queueSize) {
      this.drop();
      return;
    }
    const f = parseSyslogFrame(buf.toString('utf8', start, end));
    if (!f) {
      this.stats.malformed++;
      return;
    }
    this.stats.parsed[f.rfc]++;
    cs[f.rfc]++;
    this.queue.push({ src, line: buildSyslogLine(f, this.o.now()) });
    if (!this.scheduled && !this.pumping) {
      this.scheduled = true;
      setImmediate(() => this.kick());
    }
  }

  private drop(): void {
    this.stats.dropped++;
    this.droppedSinceLog++;
    if (this.dropTimer) return;
    this.o.log(`consumer too slow: queue full (${this.o.queueSize} frames), dropping frames`);
    this.droppedSinceLog = 0;
    this.dropTimer = setInterval(() => {
      if (this.droppedSinceLog > 0) {
        this.o.log(
          `dropped ${this.droppedSinceLog} frames in the last ${this.o.dropLogIntervalMs} ms (total ${this.stats.dropped})`,
        );
        this.droppedSinceLog = 0;
      } else if (this.dropTimer) {
        clearInterval(this.dropTimer);
        this.dropTimer = null;
      }
    }, this.o.dropLogIntervalMs);
    this.dropTimer.unref();
  }

  private kick(): void {
    this.scheduled = false;
    if (this.pumping || !this.running) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
  }

  private async pump(): Promise<void> {
    while (this.running && this.head < this.queue.length) {
      const first = this.queue[this.head]!;
      const src = first.src;
      const lines: string[] = [];
      const lim = Math.min(this.queue.length, this.head + this.o.batchSize);
      while (this.head < lim && this.queue[this.head]!.src === src) lines.push(this.queue[this.head++]!.line);
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      try {
        const r = this.onLines(src, lines);
        if (r) await r;
        this.stats.delivered += lines.length;
      } catch (e) {
        this.stats.consumerErrors++;
        this.o.log(`consumer error: ${errorMessage(e)}`);
      }
    }
  }

  /** Lines queued and not yet handed to the consumer. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Closes the listeners and connections; waits for the consumer call in progress. Queued lines are discarded. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.dropTimer) {
      clearInterval(this.dropTimer);
      this.dropTimer = null;
    }
    if (this.droppedSinceLog > 0) {
      this.o.log(`dropped ${this.droppedSinceLog} frames (total ${this.stats.dropped})`);
      this.droppedSinceLog = 0;
    }
    const waits: Promise<void>[] = [];
    if (this.udp) {
      const u = this.udp;
      this.udp = null;
      waits.push(
        new Promise((r) => {
          try {
            u.close(() => r());
          } catch {
            r();
          }
        }),
      );
    }
    if (this.tcp) {
      const t = this.tcp;
      this.tcp = null;
      waits.push(new Promise((r) => t.close(() => r())));
    }
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all(waits);
    if (this.pumping) await this.pumping.catch(() => undefined);
    this.queue = [];
    this.head = 0;
  }
}
