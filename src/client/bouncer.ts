// Bouncer (remediation component) client of the Local API: authenticates with `X-Api-Key`, reads the
// decision stream (`GET /v1/decisions/stream`, startup snapshot then deltas) and does live lookups
// (`GET /v1/decisions`), in JSON or protobuf (`Accept: application/x-protobuf`); both give the same
// normalised decisions. `poll()` returns a poller that asks for the startup snapshot first, then deltas.
// Owns: the bouncer routes' query parameters and response decoding.

import { LapiHttp, type ClientTls, type Query } from './http.js';
import { decisionsFromJSON, type ClientDecision, type DecisionDelta } from './decisions.js';
import { CLIENT_USER_AGENT } from './version.js';
import type { WireDecision } from '../api/protobuf-schema.js';
import { LapiResponseError } from './errors.js';

export type WireFormat = 'json' | 'protobuf';

export interface BouncerClientOptions {
  /** base URL of the LAPI, e.g. `http://127.0.0.1:8080/` */
  url: string;
  apiKey: string;
  format?: WireFormat;
  /** default `picket-bouncer/<version>` */
  userAgent?: string;
  timeoutMs?: number;
  /** https: CA to trust / skip verification */
  tls?: ClientTls;
}

export interface StreamOptions {
  startup?: boolean;
  /** default (server side): ip,range */
  scopes?: string[];
  origins?: string[];
  scenariosContaining?: string[];
  scenariosNotContaining?: string[];
  /** false disables the server's de-duplication */
  dedup?: boolean;
}

export type LookupQuery = (
  { ip: string } | { range: string; contains?: boolean } | { scope: string; value: string } | { value: string }
) & {
  type?: string;
  origins?: string[];
};

const PROTOBUF_ACCEPT = 'application/x-protobuf';

type ProtobufCodec = typeof import('../api/protobuf-decode.js');
let codec: Promise<ProtobufCodec> | null = null;
/** the protobuf decoder of src/api, loaded on first protobuf use only (JSON users never load protobufjs) */
function protobufCodec(): Promise<ProtobufCodec> {
  codec ??= import('../api/protobuf-decode.js');
  return codec;
}

function wireToClient(d: WireDecision): ClientDecision {
  return {
    id: Number(d.id),
    uuid: d.uuid ?? '',
    origin: d.origin,
    type: d.type,
    scope: d.scope,
    value: d.value,
    scenario: d.scenario,
    durationSeconds: Number(d.durationSeconds),
  };
}

function joined(list: string[] | undefined): string | undefined {
  return list && list.length ? list.join(',') : undefined;
}

export class BouncerClient {
  private readonly http: LapiHttp;
  private readonly headers: Record<string, string>;
  readonly format: WireFormat;

  constructor(o: BouncerClientOptions) {
    this.http = new LapiHttp(o.url, o.timeoutMs, o.tls);
    this.format = o.format ?? 'json';
    this.headers = {
      'x-api-key': o.apiKey,
      'user-agent': o.userAgent ?? CLIENT_USER_AGENT.replace('picket/', 'picket-bouncer/'),
    };
    if (this.format === 'protobuf') this.headers.accept = PROTOBUF_ACCEPT;
  }

  /** one `GET /v1/decisions/stream` (startup snapshot when `startup`, else the delta since the last pull) */
  async stream(o: StreamOptions = {}): Promise<DecisionDelta> {
    const query: Query = {
      startup: o.startup ? 'true' : undefined,
      scopes: joined(o.scopes),
      origins: joined(o.origins),
      scenarios_containing: joined(o.scenariosContaining),
      scenarios_not_containing: joined(o.scenariosNotContaining),
      dedup: o.dedup === false ? 'false' : undefined,
    };
    const r = await this.http.request({ method: 'GET', path: '/v1/decisions/stream', query, headers: this.headers });
    if (r.contentType.startsWith(PROTOBUF_ACCEPT)) {
      const d = (await protobufCodec()).decodeStream(r.body);
      return { new: d.new.map(wireToClient), deleted: d.deleted.map(wireToClient) };
    }
    const body = LapiHttp.json<{ new?: unknown; deleted?: unknown } | null>(r, '/v1/decisions/stream');
    if (body === null || typeof body !== 'object')
      throw new LapiResponseError('/v1/decisions/stream: expected an object {new, deleted}');
    return {
      new: decisionsFromJSON(body.new, 'stream new'),
      deleted: decisionsFromJSON(body.deleted, 'stream deleted'),
    };
  }

  /** live query `GET /v1/decisions` (no de-duplication); an empty answer (`null`) is `[]` */
  async lookup(q: LookupQuery): Promise<ClientDecision[]> {
    const query: Record<string, string | undefined> = { type: q.type, origins: joined(q.origins) };
    if ('ip' in q) query.ip = q.ip;
    else if ('range' in q) {
      query.range = q.range;
      if (q.contains === false) query.contains = 'false';
    } else if ('scope' in q) {
      query.scope = q.scope;
      query.value = q.value;
    } else query.value = q.value;
    const r = await this.http.request({ method: 'GET', path: '/v1/decisions', query, headers: this.headers });
    if (r.contentType.startsWith(PROTOBUF_ACCEPT))
      return (await protobufCodec()).decodeDecisions(r.body).map(wireToClient);
    return decisionsFromJSON(LapiHttp.json<unknown>(r, '/v1/decisions'), '/v1/decisions');
  }

  /**
   * a poller: its first `next()` asks for the startup snapshot, later ones for deltas (after an error: startup
   * again)
   */
  poll(o: Omit<StreamOptions, 'startup'> = {}): DecisionPoller {
    return new DecisionPoller(this, o);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export class DecisionPoller {
  private needStartup = true;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: BouncerClient,
    private readonly opts: Omit<StreamOptions, 'startup'>,
  ) {}

  async next(): Promise<DecisionDelta> {
    const startup = this.needStartup;
    try {
      const d = await this.client.stream({ ...this.opts, startup });
      this.needStartup = false;
      return d;
    } catch (e) {
      this.needStartup = true; // as the Go bouncer library: re-sync after an error
      throw e;
    }
  }

  /** polls every `intervalMs` until `stop()`; each delta (also empty ones) goes to `onDelta`, errors to `onError` */
  start(intervalMs: number, onDelta: (d: DecisionDelta) => void, onError: (e: Error) => void): void {
    if (this.timer) return;
    const tick = (): void => {
      this.next()
        .then(onDelta, onError)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
