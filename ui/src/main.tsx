// The web console's front end: login, dashboard, alerts (new ones polled every 3 s), decisions (add/delete),
// allowlists (add/remove items). Talks only to /ui/api on its own origin; unsafe calls carry the CSRF token.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';

type Row = Record<string, string | number | null>;
let csrf = '';

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const r = await fetch(`/ui/api${path}`, {
    method: init.method ?? 'GET', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data as { message?: string }).message ?? `HTTP ${r.status}`);
  return data as T;
}

const when = (ms: number | null) => (ms ? new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) : 'never');
const fields = (f: HTMLFormElement) => Object.fromEntries([...new FormData(f)].map(([k, v]) => [k, String(v)]));

function Table({ cols, rows, action }: { cols: string[]; rows: Row[]; action?: (r: Row) => preact.JSX.Element }) {
  return (
    <table>
      <thead><tr>{cols.map((c) => <th key={c} scope="col">{c}</th>)}{action && <th scope="col">Action</th>}</tr></thead>
      <tbody>{rows.map((r, i) => <tr key={i}>{cols.map((c) => <td key={c}>{String(r[c] ?? '')}</td>)}{action && <td>{action(r)}</td>}</tr>)}</tbody>
    </table>
  );
}

function Login({ onIn }: { onIn: (u: string) => void }) {
  const [err, setErr] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try { const r = await api<{ user: string; csrf: string }>('/login', { method: 'POST', body: fields(e.currentTarget as HTMLFormElement) }); csrf = r.csrf; onIn(r.user); } catch (x) { setErr((x as Error).message); }
  };
  return (
    <main class="login"><h1>Picket console</h1>
      <form onSubmit={submit}>
        <label>User <input name="user" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Log in</button>
        <p class="error" role="alert">{err}</p>
      </form>
    </main>
  );
}

function Dashboard() {
  const [d, setD] = useState<Record<string, unknown> | null>(null);
  useEffect(() => { const t = () => api<Record<string, unknown>>('/dashboard').then(setD, () => undefined); t(); const i = setInterval(t, 5000); return () => clearInterval(i); }, []);
  if (!d) return <p>Loading…</p>;
  const hours = d.perHour as number[]; const max = Math.max(1, ...hours);
  return (
    <section><h1>Dashboard</h1>
      <div class="cards">
        <div class="card">Alerts (24 h)<strong>{String(d.alerts24h)}</strong></div>
        <div class="card">Active decisions<strong>{String(d.activeDecisions)}</strong></div>
        <div class="card">From the crowd<strong>{String(d.crowdDecisions)}</strong></div>
      </div>
      <h2>Alerts per hour (last 24 h)</h2>
      <div class="bars" role="img" aria-label={`alerts per hour: ${hours.join(', ')}`}>{hours.map((n, i) => <span key={i} style={{ height: `${(100 * n) / max}%` }} />)}</div>
      <h2>Top scenarios</h2><Table cols={['name', 'count']} rows={d.topScenarios as Row[]} />
      <h2>Top sources</h2><Table cols={['name', 'count']} rows={d.topSources as Row[]} />
      <h2>Bouncers</h2><Table cols={['name', 'type', 'last contact']} rows={(d.bouncers as Row[]).map((b) => ({ ...b, 'last contact': when(b.lastContact as number) }))} />
      <h2>Agents</h2><Table cols={['name', 'last contact']} rows={(d.agents as Row[]).map((b) => ({ ...b, 'last contact': when(b.lastContact as number) }))} />
    </section>
  );
}

function Filters({ onChange, since }: { onChange: (q: string) => void; since?: boolean }) {
  const submit = (e: Event) => { e.preventDefault(); const f = fields(e.currentTarget as HTMLFormElement); onChange(new URLSearchParams(Object.entries(f).filter(([, v]) => v !== '')).toString()); };
  return (
    <form onSubmit={submit} aria-label="filters">
      <label>IP or range <input name="ip" /></label>
      <label>Scenario <input name="scenario" /></label>
      <label>Origin <input name="origin" /></label>
      <label>Type <input name="type" /></label>
      {since && <label>Since <input name="since" placeholder="4h" /></label>}
      <button type="submit">Filter</button>
    </form>
  );
}

function Alerts() {
  const [rows, setRows] = useState<Row[]>([]); const [q, setQ] = useState(''); const [err, setErr] = useState('');
  useEffect(() => {
    let last = 0; let live = true;
    const poll = () => api<Row[]>(`/alerts?${q}&after=${last}`).then((n) => {
      if (!live || n.length === 0) return;
      last = Math.max(last, ...n.map((a) => Number(a.id)));
      setRows((old) => [...n, ...old].sort((a, b) => Number(b.id) - Number(a.id)));
    }, (e: Error) => setErr(e.message));
    setRows([]); poll(); const i = setInterval(poll, 3000);
    return () => { live = false; clearInterval(i); };
  }, [q]);
  return (<section><h1>Alerts</h1><Filters onChange={setQ} since /><p class="error" role="alert">{err}</p>
    <Table cols={['id', 'scenario', 'scope', 'value', 'machine', 'events', 'decisions', 'created']} rows={rows.map((r) => ({ ...r, created: when(r.createdAt as number) }))} /></section>);
}

function Decisions() {
  const [rows, setRows] = useState<Row[]>([]); const [q, setQ] = useState(''); const [err, setErr] = useState('');
  const load = () => api<Row[]>(`/decisions?${q}`).then(setRows, (e: Error) => setErr(e.message));
  useEffect(() => { load(); }, [q]);
  const add = async (e: Event) => {
    e.preventDefault(); const f = e.currentTarget as HTMLFormElement;
    try { await api('/decisions', { method: 'POST', body: fields(f) }); f.reset(); setErr(''); await load(); } catch (x) { setErr((x as Error).message); }
  };
  const del = async (id: unknown) => { try { await api(`/decisions/${String(id)}`, { method: 'DELETE' }); await load(); } catch (x) { setErr((x as Error).message); } };
  return (
    <section><h1>Decisions</h1>
      <h2>Add a decision</h2>
      <form onSubmit={add} aria-label="add a decision">
        <label>IP or range <input name="value" required /></label>
        <label>Duration <input name="duration" placeholder="4h" /></label>
        <label>Type <input name="type" placeholder="ban" /></label>
        <label>Reason <input name="reason" /></label>
        <button type="submit">Add decision</button>
      </form>
      <p class="error" role="alert">{err}</p>
      <h2>Active decisions</h2><Filters onChange={setQ} />
      <Table cols={['id', 'value', 'type', 'origin', 'scenario', 'until']} rows={rows.map((r) => ({ ...r, until: when(r.until as number) }))}
        action={(r) => <button type="button" onClick={() => del(r.id)}>Delete decision {String(r.value)}</button>} />
    </section>
  );
}

interface List { name: string; items: { value: string; description: string; expiration: number | null }[] }
function Allowlists() {
  const [lists, setLists] = useState<List[]>([]); const [err, setErr] = useState('');
  const load = () => api<List[]>('/allowlists').then(setLists, (e: Error) => setErr(e.message));
  useEffect(() => { load(); }, []);
  const add = async (e: Event) => {
    e.preventDefault(); const f = e.currentTarget as HTMLFormElement;
    try { await api('/allowlists', { method: 'POST', body: fields(f) }); f.reset(); setErr(''); await load(); } catch (x) { setErr((x as Error).message); }
  };
  const del = async (list: string, value: string) => {
    try { await api(`/allowlists?${new URLSearchParams({ list, value })}`, { method: 'DELETE' }); await load(); } catch (x) { setErr((x as Error).message); }
  };
  return (
    <section><h1>Allowlists</h1>
      <form onSubmit={add} aria-label="add an allowlist entry">
        <label>List <input name="list" placeholder="console" /></label>
        <label>IP or range <input name="value" required /></label>
        <label>Description <input name="description" /></label>
        <label>Expires after <input name="expiration" placeholder="never" /></label>
        <button type="submit">Add entry</button>
      </form>
      <p class="error" role="alert">{err}</p>
      {lists.map((l) => (
        <div key={l.name}><h2>{l.name}</h2>
          <Table cols={['value', 'description', 'expires']} rows={l.items.map((i) => ({ ...i, expires: when(i.expiration) }))}
            action={(r) => <button type="button" onClick={() => del(l.name, String(r.value))}>Remove {String(r.value)}</button>} /></div>
      ))}
    </section>
  );
}

function Reports() {
  const month = new Date().toISOString().slice(0, 7);
  return (
    <section><h1>Reports</h1>
      <p>The monthly report (charts first, tables after), built from this LAPI's store and downloaded as a file.</p>
      <form method="get" action="/ui/api/report" aria-label="download a report">
        <label>Month <input name="month" defaultValue={month} pattern="[0-9]{4}-[0-9]{2}" required /></label>
        <label>Format <select name="format"><option value="html">HTML</option><option value="pdf">PDF</option><option value="json">JSON</option></select></label>
        <button type="submit">Download report</button>
      </form>
    </section>
  );
}

function Privacy() {
  const [text, setText] = useState('');
  useEffect(() => { api<{ text: string }>('/privacy').then((r) => setText(r.text), (e: Error) => setText(e.message)); }, []);
  return (<section><h1>Privacy</h1><p>What Picket stores, for how long, and what leaves the machine (docs/PRIVACY.md):</p>
    <pre class="doc" tabIndex={0}>{text}</pre></section>);
}

const PAGES = { Dashboard, Alerts, Decisions, Allowlists, Reports, Privacy } as const;
type Page = keyof typeof PAGES;

function App() {
  const [user, setUser] = useState<string | null | undefined>(undefined);
  const [page, setPage] = useState<Page>('Dashboard');
  useEffect(() => { api<{ user: string; csrf: string }>('/me').then((r) => { csrf = r.csrf; setUser(r.user); }, () => setUser(null)); }, []);
  if (user === undefined) return <p>Loading…</p>;
  if (user === null) return <Login onIn={setUser} />;
  const Current = PAGES[page];
  const logout = async () => { await api('/logout', { method: 'POST' }).catch(() => undefined); setUser(null); };
  return (
    <>
      <header><strong>Picket</strong>
        <nav aria-label="pages">{(Object.keys(PAGES) as Page[]).map((p) => <button type="button" key={p} aria-current={p === page ? 'page' : undefined} onClick={() => setPage(p)}>{p}</button>)}</nav>
        <span>{user}</span><button type="button" onClick={logout}>Log out</button>
      </header>
      <main><Current /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
