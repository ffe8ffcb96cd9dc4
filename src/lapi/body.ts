// Request bodies of the Local API (spec lapi.md §2): reads the body (gzip request bodies are decompressed),
// enforces the size limit after decompression (2 MiB unauthenticated, 50 MiB authenticated), optionally
// counts a key as the body arrives (./body-keys.ts), and parses JSON. Every failure is a `BodyError` carrying
// the HTTP status (400) and a message naming the problem; an oversized or bomb-like body is cut off as soon as
// the limit is crossed, so memory stays bounded.

import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { PicketError, errorMessage } from '../core/errors.js';
import { KeyCounter, type KeyLimit } from './body-keys.js';

export const UNAUTH_BODY_LIMIT = 2 * 1024 * 1024;
export const AUTH_BODY_LIMIT = 50 * 1024 * 1024;

/** A request body that cannot be read (code LAPI_BAD_BODY): too large, bad encoding, not JSON. */
export class BodyError extends PicketError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('LAPI_BAD_BODY', message);
  }
}

/** Raw body bytes (decompressed), at most `limit` bytes; with `timeoutMs`, a body not complete by then is
 *  refused and its connection closed (slow unauthenticated bodies); with `keys`, a body holding more of that
 *  key than allowed is refused (400, read to its end without being kept). */
export function readBody(req: IncomingMessage, limit: number, timeoutMs?: number, keys?: KeyLimit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    let source: NodeJS.ReadableStream = req;
    let gunzip: zlib.Gunzip | null = null;
    if (encoding === 'gzip' || encoding === 'x-gzip') {
      gunzip = zlib.createGunzip();
      req.pipe(gunzip);
      source = gunzip;
    } else if (encoding !== 'identity' && encoding !== '') {
      drain(req);
      reject(new BodyError(400, `unsupported Content-Encoding '${encoding}' (gzip or none)`));
      return;
    } else {
      const declared = Number(req.headers['content-length']);
      if (declared > limit) {
        drain(req);
        reject(new BodyError(400, `request body too large: ${declared} bytes, limit ${limit}`));
        return;
      }
    }
    let chunks: Buffer[] = [];
    let size = 0;
    const counter = keys === undefined ? null : new KeyCounter(keys.key);
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    const fail = (e: BodyError) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (gunzip) {
        req.unpipe(gunzip);
        gunzip.destroy();
      }
      drain(req);
      reject(e);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        fail(new BodyError(408, `request body not received within ${timeoutMs / 1000} s`));
        req.socket.destroy();
      }, timeoutMs);
    }
    source.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        fail(
          new BodyError(
            400,
            `request body too large: more than ${limit} bytes${gunzip ? ' after gzip decompression' : ''}`,
          ),
        );
        return;
      }
      if (counter === null) chunks.push(c);
      else {
        counter.feed(c);
        if (counter.count <= keys!.max) chunks.push(c);
        else chunks = []; // refused at the end (the count is then complete): nothing more is kept
      }
    });
    source.on('error', (e: Error) =>
      fail(new BodyError(400, gunzip ? `invalid gzip request body: ${e.message}` : `request body: ${e.message}`)),
    );
    source.on('end', () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (counter !== null && counter.count > keys!.max) reject(new BodyError(400, keys!.message(counter.count)));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    if (gunzip) req.on('error', (e: Error) => fail(new BodyError(400, `request body: ${e.message}`)));
    // client gone before the end of its body: settle the promise (nothing will be answered)
    req.on('close', () => {
      if (!req.complete) fail(new BodyError(400, 'request body: connection closed before the end of the body'));
    });
  });
}

/** Discard what is left of a request without buffering it (the response can still be written). */
function drain(req: IncomingMessage): void {
  req.on('error', () => undefined);
  req.resume();
}

/** Parsed JSON body; empty or malformed JSON -> BodyError 400 naming the parser's complaint. */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs?: number,
  keys?: KeyLimit,
): Promise<unknown> {
  const raw = await readBody(req, limit, timeoutMs, keys);
  if (raw.length === 0) throw new BodyError(400, 'EOF: empty request body, JSON expected');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new BodyError(400, `invalid JSON body: ${errorMessage(e)}`);
  }
}
