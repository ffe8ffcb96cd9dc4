// A small CrowdSec hub for the hub tests: a few real items copied from the reference hub (../shared/hub, else
// Debian's /usr/share/crowdsec/hub), collections written here, a generated .index.json with sha256 digests,
// served over HTTP on 127.0.0.1 (port 0). Routes can be swapped (new version, wrong bytes, interrupted body).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEBIAN_HUB = '/usr/share/crowdsec/hub';

export function referenceHub(): string | null {
  for (const d of [path.resolve(ROOT, '../shared/hub'), DEBIAN_HUB]) {
    if (fs.existsSync(path.join(d, 'scenarios/crowdsecurity/ssh-bf.yaml'))) return d;
  }
  return null;
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

type Route = Buffer | ((res: http.ServerResponse) => void);

interface FixtureItem {
  type: string;
  name: string;
  path: string;
  stage?: string;
  versions: string[];
  deps?: Record<string, string[]>;
}

export class FixtureHub {
  readonly routes = new Map<string, Route>();
  private readonly items: FixtureItem[] = [];
  /** previous contents of an item's file, by name (for the versions list) */
  private readonly history = new Map<string, Buffer[]>();
  url = '';
  private server: http.Server | null = null;

  constructor(private readonly ref: string) {}

  /** copies an item file of the reference hub (optionally transformed) */
  addFile(type: string, name: string, rel: string, transform?: (text: string) => string): void {
    let text = fs.readFileSync(path.join(this.ref, rel), 'utf8');
    if (transform) text = transform(text);
    this.put(
      { type, name, path: rel, stage: type === 'parsers' ? rel.split('/')[1] : undefined, versions: [] },
      Buffer.from(text),
    );
  }

  addCollection(name: string, deps: Record<string, string[]>): void {
    const text =
      Object.entries(deps)
        .map(([t, l]) => `${t}:\n${l.map((n) => `  - ${n}`).join('\n')}\n`)
        .join('') + `description: "${name}"\n`;
    this.put({ type: 'collections', name, path: `collections/${name}.yaml`, versions: [], deps }, Buffer.from(text));
  }

  /** a new version of an item: its content becomes `bytes`, the old digest stays in `versions` */
  newVersion(name: string, bytes: Buffer): void {
    const it = this.items.find((i) => i.name === name)!;
    this.history.get(name)!.push(bytes);
    this.routes.set(it.path, bytes);
  }

  private put(it: FixtureItem, bytes: Buffer): void {
    this.items.push(it);
    this.history.set(it.name, [bytes]);
    this.routes.set(it.path, bytes);
  }

  /** (re)writes the /.index.json route from the items and their history */
  writeIndex(): string {
    const idx: Record<string, Record<string, unknown>> = {};
    for (const it of this.items) {
      const hist = this.history.get(it.name)!;
      const versions: Record<string, { digest: string; deprecated: boolean }> = {};
      hist.forEach((b, i) => {
        versions[`0.${i + 1}`] = { digest: sha256(b), deprecated: false };
      });
      (idx[it.type] ??= {})[it.name] = {
        path: it.path,
        version: `0.${hist.length}`,
        versions,
        description: `fixture ${it.name}`,
        author: 'crowdsecurity',
        ...(it.stage ? { stage: it.stage } : {}),
        ...(it.deps ?? {}),
      };
    }
    const text = JSON.stringify(idx);
    this.routes.set('.index.json', Buffer.from(text));
    return text;
  }

  /** writes the hub (index + files) to a folder, as Debian ships one */
  writeFolder(dir: string): void {
    for (const [rel, r] of this.routes) {
      if (typeof r === 'function') continue;
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), r);
    }
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const rel = decodeURIComponent((req.url ?? '/').replace(/^\/+/, ''));
      const r = this.routes.get(rel);
      if (r === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      if (typeof r === 'function') {
        r(res);
        return;
      }
      res.writeHead(200, { 'content-length': r.length }).end(r);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** a response that announces 100 kB, sends a few bytes and cuts the connection */
export function interrupted(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-length': 100_000 });
  res.write('partial line\n');
  setTimeout(() => res.socket?.destroy(), 20);
}

/** every file under `dir` (recursively), relative */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => !fs.lstatSync(path.join(dir, f)).isDirectory())
    .sort();
}
