// Errors of the Local API client: `LapiError` carries the HTTP status and the server's message (the
// `message` field of CrowdSec's `{"message": …}` / `{"code": …, "message": …}` bodies, or the raw body when
// it is neither), and `LapiUnreachableError` a transport failure (connection refused, timeout, bad URL).
// Owns: the error classes and turning an error response body into a message.

export class LapiError extends Error {
  constructor(
    /** HTTP status of the response */
    readonly status: number,
    /** the server's message (from the JSON body) or the raw body text */
    readonly serverMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status}${serverMessage ? ` ${serverMessage}` : ''}`);
    this.name = 'LapiError';
  }
}

export class LapiUnreachableError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`cannot reach the Local API at ${url}: ${reason}`);
    this.name = 'LapiUnreachableError';
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
    } catch { /* not JSON: shown raw */ }
  }
  return text.length > 500 ? text.slice(0, 500) + '…' : text;
}
