// TCP <-> unix-socket bridge, so that a client in a private network namespace (`unshare -n`) reaches a LAPI on
// the host's loopback: filesystem sockets cross namespaces. Owns: `bridge(listen, target)` and its command line
// `node bridge.js LISTEN TARGET` (each "127.0.0.1:PORT" or an absolute socket path; without arguments it does
// nothing, so the test runner can load it).

import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

type Address = { path: string } | { host: string; port: number };

function parseAddress(s: string): Address {
  if (s.startsWith('/')) return { path: s };
  const i = s.lastIndexOf(':');
  const host = s.slice(0, i);
  if (host !== '127.0.0.1') throw new Error(`bridge: only 127.0.0.1 or a socket path, not ${s}`);
  return { host, port: Number(s.slice(i + 1)) };
}

/** Listens on `listen` and pipes every connection to `target`. */
export function bridge(listen: string, target: string): Promise<net.Server> {
  const from = parseAddress(listen);
  const to = parseAddress(target);
  if ('path' in from && fs.existsSync(from.path)) fs.unlinkSync(from.path);
  const server = net.createServer((c) => {
    const u = net.connect(to);
    c.pipe(u).pipe(c);
    u.on('error', () => c.destroy());
    c.on('error', () => u.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if ('path' in from) server.listen(from.path, () => resolve(server));
    else server.listen(from.port, from.host, () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.length === 4) {
  bridge(process.argv[2]!, process.argv[3]!).then(
    () => process.stdout.write(`bridge ${process.argv[2]} -> ${process.argv[3]} ready\n`),
    (err: Error) => {
      process.stderr.write(`bridge: ${err.message}\n`);
      process.exit(1);
    },
  );
}
