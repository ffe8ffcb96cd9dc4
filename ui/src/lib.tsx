// Shared pieces of the console's pages: the /ui/api client (session cookie, CSRF token on unsafe calls),
// time formatting, form fields, and the data table (with an optional action column).
import type { JSX } from 'preact';

export type Row = Record<string, string | number | null>;
let csrf = '';
export const setCsrf = (t: string) => { csrf = t; };

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const r = await fetch(`/ui/api${path}`, {
    method: init.method ?? 'GET', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data as { message?: string }).message ?? `HTTP ${r.status}`);
  return data as T;
}

export const when = (ms: number | null) =>
  (ms ? new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) : 'never');
export const fields = (f: HTMLFormElement) =>
  Object.fromEntries([...new FormData(f)].map(([k, v]) => [k, String(v)]));

export function Table({ cols, rows, action, caption }: {
  cols: string[]; rows: Row[]; action?: (r: Row) => JSX.Element; caption?: string;
}) {
  return (
    <table>
      {caption && <caption>{caption}</caption>}
      <thead><tr>{cols.map((c) => <th key={c} scope="col">{c}</th>)}{action && <th scope="col">Action</th>}</tr></thead>
      <tbody>{rows.map((r, i) => (
        <tr key={i}>{cols.map((c) => <td key={c}>{String(r[c] ?? '')}</td>)}{action && <td>{action(r)}</td>}</tr>
      ))}</tbody>
    </table>
  );
}
