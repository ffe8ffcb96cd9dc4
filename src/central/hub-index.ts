// Certification of scenarios from CrowdSec's hub index (`.index.json`): a signal is `certified` when its
// scenario_hash is the digest of one of the versions the index lists under that scenario name (any version,
// deprecated ones included: older sites run them unmodified). The client's own `scenario_trust` is never
// believed (a client cannot self-certify): an unknown hash is `tainted`, an empty one `custom`, a client's
// `manual` stays `manual` (a cscli decision, never counted).

import fs from 'node:fs';
import { PicketError } from '../core/errors.js';
import type { TrustClass } from './consensus/types.js';
import { DEFAULT_HUB_INDEXES } from './config.js';

export class HubIndex {
  private constructor(
    private readonly digests: Map<string, Set<string>>,
    readonly source: string,
  ) {}

  get scenarios(): number {
    return this.digests.size;
  }

  /** an empty index: nothing is certified */
  static empty(): HubIndex {
    return new HubIndex(new Map(), '(none)');
  }

  static parse(text: string, source: string): HubIndex {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new PicketError('CENTRAL_HUB_INDEX', `${source}: not JSON (${(e as Error).message})`);
    }
    const scen = (doc as { scenarios?: unknown } | null)?.scenarios;
    if (typeof scen !== 'object' || scen === null) {
      throw new PicketError('CENTRAL_HUB_INDEX', `${source}: no "scenarios" mapping (not a hub .index.json)`);
    }
    const digests = new Map<string, Set<string>>();
    for (const [name, item] of Object.entries(scen as Record<string, unknown>)) {
      const versions = (item as { versions?: unknown } | null)?.versions;
      if (typeof versions !== 'object' || versions === null) continue;
      const set = new Set<string>();
      for (const v of Object.values(versions as Record<string, unknown>)) {
        const d = (v as { digest?: unknown } | null)?.digest;
        if (typeof d === 'string' && d !== '') set.add(d.toLowerCase());
      }
      if (set.size) digests.set(name, set);
    }
    return new HubIndex(digests, source);
  }

  /** `path`, or the first default location that exists; empty (with source '(none)') when none */
  static load(path: string): HubIndex {
    const candidates = path ? [path] : DEFAULT_HUB_INDEXES;
    for (const p of candidates) {
      let text: string;
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch (e) {
        if (path)
          throw new PicketError(
            'CENTRAL_HUB_INDEX',
            `${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        continue;
      }
      return HubIndex.parse(text, p);
    }
    return HubIndex.empty();
  }

  /** the trust class the server grants */
  trustOf(scenario: string, hash: string, version: string, claimed: string): TrustClass {
    if (claimed === 'manual') return 'manual';
    if (hash === '') return 'custom';
    if (this.digests.get(scenario)?.has(hash.toLowerCase())) return 'certified';
    void version;
    return 'tainted';
  }
}
