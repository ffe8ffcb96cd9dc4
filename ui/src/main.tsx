// The web console's front end: login, dashboard, alerts (new ones polled every 3 s), decisions (add/delete),
// allowlists (add/remove items), reports (./reports.tsx) and privacy with the GDPR actions (./privacy.tsx).
// Talks only to /ui/api on its own origin; unsafe calls carry the CSRF token. Every control is a native button,
// link or field: Tab reaches it, Enter or Space activates it.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';

import { api, fields, setCsrf, Table, when, type Row } from './lib';
import { Reports } from './reports';
import { Privacy } from './privacy';

function Login({ onIn }: { onIn: (u: string) => void }) {
  const [err, setErr] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try { const r = await api<{ user: string; csrf: string }>('/login', { method: 'POST', body: fields(e.currentTarget as HTMLFormElement) }); setCsrf(r.csrf); onIn(r.user); } catch (x) { setErr((x as Error).message); }
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

const PAGES = { Dashboard, Alerts, Decisions, Allowlists, Reports, Privacy } as const;
type Page = keyof typeof PAGES;

function App() {
  const [user, setUser] = useState<string | null | undefined>(undefined);
  const [page, setPage] = useState<Page>('Dashboard');
  useEffect(() => { api<{ user: string; csrf: string }>('/me').then((r) => { setCsrf(r.csrf); setUser(r.user); }, () => setUser(null)); }, []);
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
