// Errors of the Local API client: `LapiError` carries the HTTP status and the server's message (the
// `message` field of CrowdSec's `{"message": …}` / `{"code": …, "message": …}` bodies, or the raw body when
// it is neither), and `LapiUnreachableError` a transport failure (connection refused, timeout, bad URL).
// Owns: the error classes and turning an error response body into a message.

import { PicketError } from '../core/errors.js';
/** An error answer of the Local API (code CLIENT_LAPI_ERROR; the HTTP status in `status`). */
export class LapiError extends PicketError {
  constructor(
    /** HTTP status of the response */
    readonly status: number,
    /** the server's message (from the JSON body) or the raw body text */
    readonly serverMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super('CLIENT_LAPI_ERROR', `${method} ${path}: ${status}${serverMessage ? ` ${serverMessage}` : ''}`);
  }
}

/** No answer from the Local API (code CLIENT_UNREACHABLE): connection refused, timeout, bad URL. */
export class LapiUnreachableError extends PicketError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super('CLIENT_UNREACHABLE', `cannot reach the Local API at ${url}: ${reason}`);
  }
}

/** An answer of the Local API without the expected shape (code CLIENT_BAD_RESPONSE). */
export class LapiResponseError extends PicketError {
  constructor(message: string) {
    super('CLIENT_BAD_RESPONSE', message);
  }
}

/** The message of an error body: `message` (+ ` (errors)`), else the raw text (trimmed, at most 500 chars). */
export function errorMessageOf(body: string): string {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const o = JSON.parse(text) as { message?: unknown; errors?: unknown };
      if (typeof o.message === 'string') {
        return typeof o.errors === 'string' && o.errors !== '' ? `${o.message} (${o.errors})` : o.message;
      }
    } catch {
      /* not JSON: shown raw */
    }
  }
  return text.length > 500 ? text.slice(0, 500) + '…' : text;
}
