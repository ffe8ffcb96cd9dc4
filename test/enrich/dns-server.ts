// A tiny DNS responder on 127.0.0.1 (UDP, port 0) for reverse DNS tests: answers PTR queries from a table,
// NXDOMAIN for other names, and never answers the names it is told to drop (timeouts). Counts the queries and
// the most queries it had unanswered at once (held answers: `holdMs`). Test-only; one question per query.
import dgram from 'node:dgram';

export interface DnsServer {
  /** `127.0.0.1:PORT`, for --dns-server / rdns.dns_servers */
  addr: string;
  /** queries received per question name */
  queries: Map<string, number>;
  /** most queries held unanswered at once */
  maxOutstanding: number;
  close(): Promise<void>;
}

export interface DnsServerOptions {
  /** address -> PTR name (without the trailing dot) */
  ptr: Record<string, string>;
  /** addresses whose queries get no answer at all */
  drop?: string[];
  /** answers are sent this long after the query (default 0) */
  holdMs?: number;
}

/** `1.2.3.4` -> `4.3.2.1.in-addr.arpa` (IPv4 only: enough for the tests) */
export function arpaName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  for (;;) {
    const n = msg[off]!;
    if (n === 0) return { name: labels.join('.'), end: off + 1 };
    labels.push(msg.toString('latin1', off + 1, off + 1 + n));
    off += n + 1;
  }
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p !== '');
  const bufs = parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')]));
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function answer(msg: Buffer, qEnd: number, ptr: string | undefined): Buffer {
  const head = Buffer.from(msg.subarray(0, 12));
  head[2] = 0x84 | (msg[2]! & 0x01); // QR, AA, RD copied
  head[3] = ptr === undefined ? 0x83 : 0x80; // RA, rcode NXDOMAIN (3) or NOERROR
  head.writeUInt16BE(1, 4); // QDCOUNT
  head.writeUInt16BE(ptr === undefined ? 0 : 1, 6); // ANCOUNT
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  const question = msg.subarray(12, qEnd);
  if (ptr === undefined) return Buffer.concat([head, question]);
  const rdata = encodeName(ptr);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question's
  rr.writeUInt16BE(12, 2); // TYPE PTR
  rr.writeUInt16BE(1, 4); // CLASS IN
  rr.writeUInt32BE(300, 6); // TTL
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, question, rr, rdata]);
}

export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const table = new Map(Object.entries(o.ptr).map(([ip, name]) => [arpaName(ip), name]));
  const drop = new Set((o.drop ?? []).map(arpaName));
  const sock = dgram.createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  let outstanding = 0;
  const srv: DnsServer = {
    addr: '',
    queries: new Map(),
    maxOutstanding: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        sock.close(() => r());
      }),
  };
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 17) return;
    const { name, end } = readName(msg, 12);
    const qEnd = end + 4;
    const key = name.toLowerCase();
    srv.queries.set(key, (srv.queries.get(key) ?? 0) + 1);
    if (drop.has(key)) return;
    const reply = answer(msg, qEnd, msg.readUInt16BE(end) === 12 ? table.get(key) : undefined);
    outstanding++;
    srv.maxOutstanding = Math.max(srv.maxOutstanding, outstanding);
    const t = setTimeout(() => {
      timers.delete(t);
      outstanding--;
      sock.send(reply, rinfo.port, rinfo.address);
    }, o.holdMs ?? 0);
    timers.add(t);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  srv.addr = `127.0.0.1:${sock.address().port}`;
  return srv;
}
