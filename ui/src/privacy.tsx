// The console's privacy page: the privacy notice (docs/PRIVACY.md), and the GDPR actions through the same
// code as `picket gdpr`: what is held about an address (shown, and downloadable as JSON), its erasure (the
// address typed twice as confirmation; the erasure record is shown: keyed hash, time, counts), past erasures.
import { useEffect, useState } from 'preact/hooks';
import { api, fields, Table, type Row } from './lib';

interface Item { kind: string; where: string; id: string; deleteBy: string | null }
interface Held { address: string; items: Item[]; erasures: { id: string; at: string }[] }
interface Erasure { id: string; addressHash: string; at: number; counts: Record<string, Record<string, number>> }

const countRows = (c: Erasure['counts']): Row[] =>
  Object.entries(c).flatMap(([holder, m]) => Object.entries(m).map(([what, n]) => ({ holder, what, count: n })));

function ExportAddress() {
  const [held, setHeld] = useState<Held | null>(null);
  const [err, setErr] = useState('');
  const look = async (e: Event) => {
    e.preventDefault();
    const { ip } = fields(e.currentTarget as HTMLFormElement);
    try { setHeld(await api<Held>(`/gdpr/export?${new URLSearchParams({ ip })}`)); setErr(''); }
    catch (x) { setHeld(null); setErr((x as Error).message); }
  };
  return (
    <>
      <h2>What is held about an address</h2>
      <form onSubmit={look} aria-label="export an address">
        <label>IP address <input name="ip" required /></label>
        <button type="submit">Show data held</button>
      </form>
      <p class="error" role="alert">{err}</p>
      {held && (
        <div aria-live="polite">
          <p>{held.items.length} item(s) held about <strong>{held.address}</strong>
            {held.erasures.length > 0 && `; erased before: ${held.erasures.map((x) => x.at).join(', ')}`}.{' '}
            <a href={`/ui/api/gdpr/export?${new URLSearchParams({ ip: held.address, download: '1' })}`}
              download>Download JSON export of {held.address}</a></p>
          <Table caption={`data held about ${held.address}`} cols={['kind', 'where', 'id', 'deleted by']}
            rows={held.items.map((i) => ({ ...i, 'deleted by': i.deleteBy ?? 'when removed' }))} />
        </div>
      )}
    </>
  );
}

function EraseAddress({ onErased }: { onErased: () => void }) {
  const [rec, setRec] = useState<Erasure | null>(null);
  const [err, setErr] = useState('');
  const erase = async (e: Event) => {
    e.preventDefault(); const f = e.currentTarget as HTMLFormElement;
    try {
      setRec(await api<Erasure>('/gdpr/erase', { method: 'POST', body: fields(f) }));
      setErr(''); f.reset(); onErased();
    } catch (x) { setRec(null); setErr((x as Error).message); }
  };
  return (
    <>
      <h2>Erase an address</h2>
      <p>Removes it from alerts, events, decisions (active bans are withdrawn), usage metrics, allowlists, report
        files and every other holder. This cannot be undone.</p>
      <form onSubmit={erase} aria-label="erase an address">
        <label>IP address <input name="ip" required /></label>
        <label>Type it again to confirm <input name="confirm" required autocomplete="off" /></label>
        <button type="submit">Erase address</button>
      </form>
      <p class="error" role="alert">{err}</p>
      {rec && (
        <div aria-live="polite">
          <p>Erasure <strong>{rec.id}</strong> recorded (address hash <code>{rec.addressHash.slice(0, 16)}…</code>,
            not the address).</p>
          <Table caption={`erasure ${rec.id}`} cols={['holder', 'what', 'count']} rows={countRows(rec.counts)} />
        </div>
      )}
    </>
  );
}

export function Privacy() {
  const [text, setText] = useState('');
  const [gdpr, setGdpr] = useState(false);
  const [erasures, setErasures] = useState<Erasure[]>([]);
  const loadErasures = () => api<Erasure[]>('/gdpr/erasures').then(setErasures, () => undefined);
  useEffect(() => {
    api<{ text: string; gdpr: boolean }>('/privacy').then((r) => {
      setText(r.text); setGdpr(r.gdpr); if (r.gdpr) loadErasures();
    }, (e: Error) => setText(e.message));
  }, []);
  return (
    <section><h1>Privacy</h1>
      {gdpr && <ExportAddress />}
      {gdpr && <EraseAddress onErased={loadErasures} />}
      {gdpr && <Table caption="erasure records" cols={['id', 'address hash', 'at']}
        rows={erasures.map((x) => ({ id: x.id, 'address hash': `${x.addressHash.slice(0, 16)}…`,
          at: new Date(x.at).toISOString() }))} />}
      <h2>Privacy notice</h2>
      <p>What Picket stores, for how long, and what leaves the machine (docs/PRIVACY.md):</p>
      <pre class="doc" tabIndex={0}>{text}</pre>
    </section>
  );
}
