// The one error base of Picket: every error the project throws on purpose extends PicketError and carries a
// stable `code` (callers and tests compare codes, never message texts), as undici's UndiciError does.
// Codes are UPPER_SNAKE and prefixed by the area that owns them (CONFIG_, CONTENT_, EXPR_, STORE_, LAPI_,
// CAPI_, CENTRAL_, NOTIFY_, HUB_, ...). `errorMessage` turns anything caught into one line of text.

/** Base of every error Picket throws on purpose. */
export class PicketError extends Error {
  /** Stable identifier of the kind of error (e.g. `CONFIG_UNKNOWN_KEY`). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `e` is a PicketError, optionally of one code. */
export function isPicketError(e: unknown, code?: string): e is PicketError {
  return e instanceof PicketError && (code === undefined || e.code === code);
}

/** The message of anything thrown (an Error's message, a string as is, other values through String()). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return String(e);
  } catch {
    return 'unknown error';
  }
}

/** The code of anything thrown: a PicketError's code, a Node system error's code (ENOENT...), else undefined. */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof PicketError) return e.code;
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}
