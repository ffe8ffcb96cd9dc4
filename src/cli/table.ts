// Human tables of the LAPI commands, in cscli's boxed style, drawn by cli-table3:
//   ╭────┬────────╮
//   │ ID │ Source │
//   ├────┼────────┤
//   │ 1  │ cscli  │
//   ╰────┴────────╯
// Owns: the box characters, the plain (uncoloured) style and the header rule of an empty table (cscli draws it;
// cli-table3 does not); cli-table3 measures the columns.

import Table from 'cli-table3';

export const CHARS = {
  top: '─',
  'top-mid': '┬',
  'top-left': '╭',
  'top-right': '╮',
  bottom: '─',
  'bottom-mid': '┴',
  'bottom-left': '╰',
  'bottom-right': '╯',
  left: '│',
  'left-mid': '├',
  mid: '─',
  'mid-mid': '┼',
  right: '│',
  'right-mid': '┤',
  middle: '│',
};

export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const t = new Table({ head: [...headers], chars: CHARS, style: { head: [], border: [], compact: true } });
  for (const r of rows) t.push(headers.map((_, i) => r[i] ?? ''));
  const text = t.toString();
  if (rows.length > 0) return text;
  const [top, head, bottom] = text.split('\n');
  const rule = top!.replace('╭', '├').replaceAll('┬', '┼').replace('╮', '┤');
  return [top, head, rule, bottom].join('\n');
}
