// The console API's HTTP helpers: a JSON response (never cached) and a bounded JSON object body (16 KiB;
// anything else is a ConsoleInputError naming `body`, answered 400).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConsoleInputError } from './data.js';
import { errorMessage } from '../core/errors.js';

const MAX_BODY = 16 * 1024;

export type Json = Record<string, unknown>;

export function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

export function readJson(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ConsoleInputError('CONSOLE_BAD_INPUT', `body: over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) {
        resolve({});
        return;
      }
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
        resolve(v as Json);
      } catch (e) {
        reject(new ConsoleInputError('CONSOLE_BAD_INPUT', `body: ${errorMessage(e)}`));
      }
    });
    req.on('error', reject);
  });
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
