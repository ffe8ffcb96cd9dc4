// The console's privacy actions (GDPR), through the same src/gdpr functions as `picket gdpr`: export what
// Picket holds about an address (shown in the page, or downloaded as JSON), erase it everywhere (the request
// repeats the address as its confirmation; session and CSRF token are checked by the handler), and the
// erasure records (keyed hash of the address, never the address). An erasure is applied to the running
// LAPI's index at once (`afterErase`: the store's change-log catch-up) and logged without the address.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PicketStore } from '../store/lmdb.js';
import type { RetentionPolicy } from '../store/records.js';
import { exportAddress, type GdprContext } from '../gdpr/export.js';
import { eraseEverywhere } from '../gdpr/erase.js';
import { listErasures } from '../gdpr/erasures.js';
import { ConsoleInputError } from './data.js';
import { readJson, send, str } from './http.js';

export interface ConsoleGdpr {
  env: PicketStore;
  retention: RetentionPolicy;
  /** brings the running LAPI's index up to date after an erasure */
  afterErase?: () => void;
}

const ctxOf = (g: ConsoleGdpr, now: number): GdprContext => ({ store: g.env, retention: g.retention, now });

/** GET /ui/api/gdpr/export?ip=IP[&download=1] */
export async function gdprExport(res: ServerResponse, g: ConsoleGdpr, q: URLSearchParams, now: number): Promise<void> {
  const ip = (q.get('ip') ?? '').trim();
  if (ip === '') throw new ConsoleInputError('CONSOLE_BAD_INPUT', 'ip: missing (the address to export)');
  const x = await exportAddress(ctxOf(g, now), ip);
  if (q.get('download') !== '1') {
    send(res, 200, x);
    return;
  }
  const body = Buffer.from(JSON.stringify(x, null, 2) + '\n');
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'Content-Disposition': `attachment; filename="picket-gdpr-${ip.replace(/[^0-9a-fA-F.]/g, '_')}.json"`,
  });
  res.end(body);
}

/** POST /ui/api/gdpr/erase {ip, confirm: the same address}: the erasure record */
export async function gdprErase(
  req: IncomingMessage,
  res: ServerResponse,
  g: ConsoleGdpr,
  now: number,
  log: (line: string) => void,
): Promise<void> {
  const b = await readJson(req);
  const ip = str(b.ip).trim();
  if (ip === '') throw new ConsoleInputError('CONSOLE_BAD_INPUT', 'ip: missing (the address to erase)');
  if (str(b.confirm).trim() !== ip)
    throw new ConsoleInputError('CONSOLE_BAD_INPUT', 'confirm: type the address again to confirm the erasure');
  const rec = await eraseEverywhere(ctxOf(g, now), ip, { keepAllowlists: b.keepAllowlists === true });
  g.afterErase?.();
  log(`console: erasure ${rec.id} done (address hash ${rec.addressHash.slice(0, 16)}…)`);
  send(res, 200, rec);
}

/** GET /ui/api/gdpr/erasures: every erasure record, newest first */
export function gdprErasures(res: ServerResponse, g: ConsoleGdpr): void {
  send(res, 200, listErasures(g.env).reverse());
}
