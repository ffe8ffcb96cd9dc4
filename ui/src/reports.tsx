// The console's reports page: the report folder's months (view the HTML in a sandboxed frame, download HTML,
// PDF or JSON), a month generated on demand into the folder, and a month built and downloaded directly.
import { useEffect, useState } from 'preact/hooks';
import { api, fields } from './lib';

interface MonthFiles { month: string; files: { name: string; format: string; size: number }[] }
const fileUrl = (name: string, download = false) =>
  `/ui/api/reports/files/${encodeURIComponent(name)}${download ? '?download=1' : ''}`;

export function Reports() {
  const thisMonth = new Date().toISOString().slice(0, 7);
  const [months, setMonths] = useState<MonthFiles[]>([]);
  const [dir, setDir] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [viewing, setViewing] = useState<string | null>(null);
  const load = () => api<{ dir: string; months: MonthFiles[] }>('/reports')
    .then((r) => { setMonths(r.months); setDir(r.dir); }, (e: Error) => setErr(e.message));
  useEffect(() => { load(); }, []);
  const generate = async (e: Event) => {
    e.preventDefault(); setBusy(true);
    try {
      const r = await api<{ month: string }>('/reports', { method: 'POST', body: fields(e.currentTarget as HTMLFormElement) });
      setErr(''); await load(); setViewing(`picket-report-${r.month}.html`);
    } catch (x) { setErr((x as Error).message); } finally { setBusy(false); }
  };
  return (
    <section><h1>Reports</h1>
      <p>Monthly reports (charts first, tables after) in <code>{dir}</code>; <code>report.schedule: monthly</code> adds
        last month's on the 1st.</p>
      <form onSubmit={generate} aria-label="generate a report">
        <label>Month <input name="month" defaultValue={thisMonth} pattern="[0-9]{4}-[0-9]{2}" required /></label>
        <button type="submit" disabled={busy}>{busy ? 'Generating…' : 'Generate report'}</button>
      </form>
      <p class="error" role="alert">{err}</p>
      <table>
        <caption>Reports in the folder</caption>
        <thead><tr><th scope="col">Month</th><th scope="col">View</th><th scope="col">Download</th></tr></thead>
        <tbody>{months.map((m) => {
          const html = m.files.find((f) => f.format === 'html');
          return (
            <tr key={m.month}><td>{m.month}</td>
              <td>{html && <button type="button" aria-pressed={viewing === html.name}
                onClick={() => setViewing(html.name)}>View report {m.month}</button>}</td>
              <td class="links">{m.files.map((f) => (
                <a key={f.name} href={fileUrl(f.name, true)} download={f.name}>{f.format.toUpperCase()}
                  <span class="sr"> of {m.month}</span></a>
              ))}</td></tr>
          );
        })}</tbody>
      </table>
      {months.length === 0 && <p>No report in the folder yet: generate one above.</p>}
      {viewing && (
        <div class="viewer">
          <h2>{viewing}</h2>
          <button type="button" onClick={() => setViewing(null)}>Close report</button>{' '}
          <a href={fileUrl(viewing)} target="_blank" rel="noopener">Open {viewing} full page</a>
          {/* the report's <main> is focusable: Tab enters the frame, arrow keys scroll the report */}
          <iframe title={`report ${viewing}`} sandbox="" src={fileUrl(viewing)} />
        </div>
      )}
      <h2>Download without saving</h2>
      <form method="get" action="/ui/api/report" aria-label="download a report">
        <label>Month <input name="month" defaultValue={thisMonth} pattern="[0-9]{4}-[0-9]{2}" required /></label>
        <label>Format <select name="format"><option value="html">HTML</option><option value="pdf">PDF</option>
          <option value="json">JSON</option></select></label>
        <button type="submit">Download report</button>
      </form>
    </section>
  );
}
