// Human tables of the LAPI commands, in cscli's boxed style:
//   ╭────┬────────╮
//   │ ID │ Source │
//   ├────┼────────┤
//   │ 1  │ cscli  │
//   ╰────┴────────╯
// Owns: column widths (by code points, so `µ` and `…` count as one) and the box drawing.

function width(s: string): number { return [...s].length; }

export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const w = headers.map((h) => width(h));
  for (const r of rows) for (let i = 0; i < w.length; i++) w[i] = Math.max(w[i], width(r[i] ?? ''));
  const line = (l: string, m: string, r: string) => l + w.map((n) => '─'.repeat(n + 2)).join(m) + r;
  const row = (cells: readonly string[]) => '│' + w.map((n, i) => ' ' + (cells[i] ?? '') + ' '.repeat(n - width(cells[i] ?? '')) + ' ').join('│') + '│';
  const out = [line('╭', '┬', '╮'), row(headers), line('├', '┼', '┤')];
  for (const r of rows) out.push(row(r));
  out.push(line('╰', '┴', '╯'));
  return out.join('\n');
}
