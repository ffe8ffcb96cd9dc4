// The `syslog` acquisition source: listen_addr / listen_port / protocol decoded here, the server is
// server.ts. Counters: frames per client (cs_syslogsource_hits_total), parsed per RFC
// (cs_syslogsource_parsed_total), dropped by back-pressure (picket_syslog_dropped_total). Registers itself.

import { asText } from '../../core/yaml-strict.js';
import { registerSource } from '../registry.js';
import { COMMON_KEYS, HIT_LABELS, type CounterRow, type DataSource, type SourceContext } from '../source.js';
import { SyslogSource } from './server.js';

export interface SyslogConfig {
  source: 'syslog';
  listenAddr: string;
  listenPort: number;
  protocol: 'udp' | 'tcp' | 'both';
  /** longest accepted message in bytes (CrowdSec's max_message_len, default 2048) */
  maxMessageLen?: number;
  labels: Record<string, string>;
}

const HITS = 'cs_syslogsource_hits_total',
  PARSED = 'cs_syslogsource_parsed_total';
const DROPPED = 'picket_syslog_dropped_total';

class SyslogDataSource implements DataSource {
  readonly name: string;
  readonly follows = false;
  private readonly server: SyslogSource;
  private ports: { udpPort?: number; tcpPort?: number } = {};

  constructor(
    private readonly cfg: SyslogConfig,
    ctx: SourceContext,
  ) {
    this.name = `syslog source ${cfg.listenAddr}:${cfg.listenPort}`;
    const labels = cfg.labels;
    this.server = new SyslogSource(cfg, (from, lines) => ctx.push(lines, { src: from, module: 'syslog', labels }), {
      log: (m) => ctx.log(`syslog: ${m}`),
      ...(cfg.maxMessageLen !== undefined ? { maxMessageLen: cfg.maxMessageLen } : {}),
    });
  }

  async start(): Promise<void> {
    this.ports = await this.server.start();
  }
  run(): void {
    /* delivers from start() */
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  describe(): string {
    const p = this.ports;
    const bound = [
      p.udpPort !== undefined ? `udp/${p.udpPort}` : '',
      p.tcpPort !== undefined ? `tcp/${p.tcpPort}` : '',
    ];
    return `syslog ${this.cfg.listenAddr} ${bound.filter(Boolean).join(' ')} (type ${this.cfg.labels.type})`;
  }

  counters(): CounterRow[] {
    const at = this.cfg.labels.type ?? '';
    const st = this.server.stats;
    const rows: CounterRow[] = [];
    for (const [source, c] of Object.entries(st.bySource)) {
      rows.push({ name: HITS, labels: { source, datasource_type: 'syslog', acquis_type: at }, value: c.hits });
    }
    for (const [source, c] of Object.entries(st.bySource)) {
      for (const type of ['RFC3164', 'RFC5424'] as const) {
        if (c[type] > 0) {
          const labels = { source, type, datasource_type: 'syslog', acquis_type: at };
          rows.push({ name: PARSED, labels, value: c[type] });
        }
      }
    }
    rows.push({ name: DROPPED, labels: {}, value: st.dropped });
    return rows;
  }
}

registerSource<SyslogConfig>({
  name: 'syslog',
  keys: new Set([...COMMON_KEYS, 'listen_addr', 'listen_port', 'protocol', 'max_message_len']),
  counters: [
    { name: HITS, help: 'Frames received by the syslog server', labelNames: HIT_LABELS },
    { name: PARSED, help: 'Syslog frames parsed', labelNames: ['source', 'type', 'datasource_type', 'acquis_type'] },
    { name: DROPPED, help: 'Syslog frames dropped because the pipeline queue was full', labelNames: [] },
  ],
  parse(v, labels, fail) {
    const port = v.listen_port === undefined ? 514 : Number(v.listen_port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid "listen_port": ${asText(v.listen_port)}`);
    const protocol = v.protocol === undefined ? 'both' : asText(v.protocol);
    if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'both') return fail(`invalid "protocol": ${protocol}`);
    const listenAddr = v.listen_addr === undefined ? '127.0.0.1' : asText(v.listen_addr);
    const out: SyslogConfig = { source: 'syslog', listenAddr, listenPort: port, protocol, labels };
    if (v.max_message_len !== undefined && v.max_message_len !== null) {
      const n = Number(v.max_message_len);
      if (!Number.isInteger(n) || n <= 0)
        fail(`invalid "max_message_len": ${asText(v.max_message_len)} (a positive number of bytes)`);
      out.maxMessageLen = n;
    }
    return out;
  },
  create: (cfg, ctx) => new SyslogDataSource(cfg, ctx),
});
