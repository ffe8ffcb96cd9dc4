// Request bodies of the Local API (spec lapi.md §2): reads the body (gzip request bodies are decompressed),
// enforces the size limit after decompression (2 MiB unauthenticated, 50 MiB authenticated) and parses
// JSON. Every failure is a `BodyError` carrying the HTTP status (400) and a message naming the problem; an
// oversized or bomb-like body is cut off as soon as the limit is crossed, so memory stays bounded.

import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { PicketError, errorMessage } from '../core/errors.js';

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
 *  refused and its connection closed (slow unauthenticated bodies). */
export function readBody(req: IncomingMessage, limit: number, timeoutMs?: number): Promise<Buffer> {
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
    const chunks: Buffer[] = [];
    let size = 0;
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
      chunks.push(c);
    });
    source.on('error', (e: Error) =>
      fail(new BodyError(400, gunzip ? `invalid gzip request body: ${e.message}` : `request body: ${e.message}`)),
    );
    source.on('end', () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
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
export async function readJsonBody(req: IncomingMessage, limit: number, timeoutMs?: number): Promise<unknown> {
  const raw = await readBody(req, limit, timeoutMs);
  if (raw.length === 0) throw new BodyError(400, 'EOF: empty request body, JSON expected');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new BodyError(400, `invalid JSON body: ${errorMessage(e)}`);
  }
}
