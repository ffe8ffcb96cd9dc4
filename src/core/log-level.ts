// The daemon's log levels (`log_level` of Picket's config, `common.log_level` of CrowdSec's, `--log-level`):
// trace < debug < info < warn < error, with CrowdSec's (logrus') other spellings accepted: `warning` = warn,
// `fatal` and `panic` = error. Owns: parsing a level, and the level filter of the daemon's lines:
//   error  failures and the lines that start or stop the daemon (always written)
//   warn   + warnings (content, sources)
//   info   + one line per alert (the decision taken), files appearing/rotated/truncated, throughput summaries
//   debug  + settings in effect at start, each read-position checkpoint
//   trace  + every line read (source and text)

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** what the errors say is accepted */
export const LOG_LEVEL_CHOICES = 'trace, debug, info, warn (or warning), error';

const ALIASES: Record<string, LogLevel> = { warning: 'warn', fatal: 'error', panic: 'error' };

/** The level named `s` (any case), or null when it is not one. */
export function parseLogLevel(s: string): LogLevel | null {
  const l = s.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : (ALIASES[l] ?? null);
}

/** The daemon's line writer at one level: each method writes only when its level is enabled. */
export class LevelLog {
  private readonly rank: number;
  constructor(
    readonly level: LogLevel,
    private readonly write: (line: string) => void,
  ) {
    this.rank = LOG_LEVELS.indexOf(level);
  }

  enabled(l: LogLevel): boolean {
    return LOG_LEVELS.indexOf(l) >= this.rank;
  }

  readonly trace = (m: string): void => this.at('trace', m);
  readonly debug = (m: string): void => this.at('debug', m);
  readonly info = (m: string): void => this.at('info', m);

  private at(l: LogLevel, m: string): void {
    if (this.enabled(l)) this.write(l === 'info' ? m : `${l}: ${m}`);
  }
}
