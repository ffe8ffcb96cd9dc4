// Output formats of the LAPI commands (`-o human|json|raw`, as cscli): parsing the flag, CSV lines for
// `raw`, and relative times ("3h59m ago") for human tables. Owns: these small formatting helpers.

import { CliError } from './command.js';

export type OutputFormat = 'human' | 'json' | 'raw';

export function outputFormat(v: unknown, allowed: readonly OutputFormat[] = ['human', 'json', 'raw']): OutputFormat {
  const f = (v as string | undefined) ?? 'human';
  if (!(allowed as readonly string[]).includes(f)) throw new CliError(`-o ${f}: expected ${allowed.join(', ')}`);
  return f as OutputFormat;
}

/** one CSV line (RFC 4180 quoting) */
export function csvLine(cells: ReadonlyArray<string | number | boolean>): string {
  return cells
    .map((c) => {
      const s = String(c);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    })
    .join(',');
}

/** seconds -> `3h59m58s`-style, without a sign */
export function shortDuration(totalSeconds: number): string {
  let s = Math.abs(Math.round(totalSeconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return (d ? `${d}d` : '') + (d || h ? `${h}h` : '') + (d || h || m ? `${m}m` : '') + `${s}s`;
}

/** epoch ms (or null) -> `2026-11-25T05:14:39Z (3m2s ago)`; `-` for null/0 */
export function timeWithAge(ms: number | null, now = Date.now()): string {
  if (!ms) return '-';
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${iso} (${shortDuration((now - ms) / 1000)} ago)`;
}

/** an alert source's AS as cscli shows it: `<number> <name>` */
export function asText(source: { as_number?: string; as_name?: string }): string {
  const n = source.as_number ?? '',
    name = source.as_name ?? '';
  return n || name ? `${n} ${name}`.trim() : '';
}
