// Test helpers for profiles: a NewAlert as the LAPI would store it (engine alert, no decisions) and a
// ProfileContext over an in-memory list of decisions.
import type { NewAlert } from '../../src/store/records.js';
import type { ProfileContext } from '../../src/profiles/index.js';

export const STOP_AT = '2026-11-25T05:23:45.629312797Z';
export const STOP_MS = Date.UTC(2026, 10, 25, 5, 23, 45, 629);
export const H = 3_600_000;

export function engineAlert(over: Partial<NewAlert> = {}, source: Partial<NewAlert['source']> = {}): NewAlert {
  return {
    machineId: 'probehost',
    scenario: 'crowdsecurity/ssh-bf',
    scenarioHash: '4441dcff',
    scenarioVersion: '0.1',
    message: 'Ip 198.18.0.67 performed crowdsecurity/ssh-bf',
    eventsCount: 6,
    startAt: '2026-11-25T05:23:45.626710489Z',
    stopAt: STOP_AT,
    capacity: 5,
    leakspeed: '10s',
    simulated: false,
    remediation: true,
    kind: 'crowdsec',
    labels: null,
    source: {
      scope: 'Ip',
      value: '198.18.0.67',
      ip: '198.18.0.67',
      range: '',
      asNumber: '',
      asName: '',
      cn: '',
      latitude: 0,
      longitude: 0,
      ...source,
    },
    events: [
      {
        timestamp: '2026-11-25T05:23:45Z',
        meta: [
          { key: 'source_ip', value: '198.18.0.67' },
          { key: 'target_user', value: 'root' },
        ],
      },
    ],
    meta: [{ key: 'target_user', value: '["root"]' }],
    decisions: [],
    ...over,
  };
}

export interface StoredDecision {
  value: string;
  createdAt: number;
  until: number;
}

/** A context whose counts come from `stored`; records every countDecisions call. */
export function memoryContext(
  now: number,
  stored: StoredDecision[] = [],
): ProfileContext & { calls: { value: string; activeOnly: boolean; since?: number }[] } {
  const calls: { value: string; activeOnly: boolean; since?: number }[] = [];
  return {
    now,
    calls,
    countDecisions(value, opts) {
      calls.push({ value, activeOnly: opts.activeOnly, since: opts.since });
      return stored.filter(
        (d) =>
          d.value === value &&
          (!opts.activeOnly || d.until > opts.now) &&
          (opts.since === undefined || d.createdAt >= opts.since),
      ).length;
    },
    timeLeftMs(value, at) {
      let best = 0;
      for (const d of stored) if (d.value === value && d.until - at > best) best = d.until - at;
      return best;
    },
  };
}
