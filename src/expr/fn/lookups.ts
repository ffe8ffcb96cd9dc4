// CrowdSec helpers answered by the host (expr/hooks.ts): stash, LogInfo, Hostname, DNS, GeoIP, decision counts; and
// the ones Picket refuses (network access, AppSec).
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { hostname } from 'node:os';
import { parseGoDuration } from '../../core/gotime.js';
import { exprHooks, hookLog } from '../hooks.js';
import { RtError } from '../runtime.js';
import { ANY, BOOL, DURATION, INT, STRING, arr } from '../schema.js';
import { sprintf } from '../sprintf.js';
import { stashGet, stashSet, stashExists } from '../stash.js';
import { INF, s, type FnDef } from './args.js';
import { errorMessage } from '../../core/errors.js';

export function netDisabled(name: string): never {
  throw new RtError(`${name}: disabled: no network access from expressions`);
}

export const LOOKUP_FUNCTIONS: Record<string, FnDef> = {
  GetFromStash: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (c: unknown, k: unknown) => {
      const name = s(c, 'GetFromStash');
      if (!stashExists(name)) throw new RtError(`GetFromStash: cache ${name} not found`);
      return stashGet(name, s(k, 'GetFromStash', 1));
    },
  },
  SetInStash: {
    min: 3,
    max: 4,
    ret: ANY,
    fn: (c: unknown, k: unknown, v: unknown, d?: unknown) => {
      const err = stashSet(
        s(c, 'SetInStash'),
        s(k, 'SetInStash', 1),
        s(v, 'SetInStash', 2),
        typeof d === 'number' ? d : undefined,
      );
      return err;
    },
  },
  LogInfo: {
    min: 1,
    max: INF,
    ret: BOOL,
    kinds: true,
    fn: (k: string[], f: unknown, ...args: unknown[]) => {
      hookLog('info', sprintf(k.slice(1), s(f, 'LogInfo'), args));
      return true;
    },
  },
  Hostname: { min: 0, max: 0, ret: STRING, fn: () => hostname() },
  LookupHost: {
    min: 1,
    max: 1,
    ret: arr(STRING),
    fn: (v: unknown) => (exprHooks.lookupHost ? exprHooks.lookupHost(s(v, 'LookupHost')) : []),
  },
  GeoIPEnrich: {
    min: 1,
    max: 1,
    ret: ANY,
    fn: (v: unknown) => (exprHooks.geoipCity ? (exprHooks.geoipCity(s(v, 'GeoIPEnrich')) ?? null) : null),
  },
  GeoIPASNEnrich: {
    min: 1,
    max: 1,
    ret: ANY,
    fn: (v: unknown) => (exprHooks.geoipASN ? (exprHooks.geoipASN(s(v, 'GeoIPASNEnrich')) ?? null) : null),
  },
  GeoIPRangeEnrich: {
    min: 1,
    max: 1,
    ret: ANY,
    fn: (v: unknown) => (exprHooks.geoipRange ? (exprHooks.geoipRange(s(v, 'GeoIPRangeEnrich')) ?? null) : null),
  },
  IPToCountry: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => (exprHooks.ipToCountry ? exprHooks.ipToCountry(s(v, 'IPToCountry')) : ''),
  },
  GetDecisionsCount: {
    min: 1,
    max: 1,
    ret: INT,
    fn: (v: unknown) => (exprHooks.decisionsCount ? exprHooks.decisionsCount(s(v, 'GetDecisionsCount')) : 0),
  },
  GetDecisionsSinceCount: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (v: unknown, since: unknown) => {
      if (!exprHooks.decisionsSinceCount) return 0;
      let d = s(since, 'GetDecisionsSinceCount', 1);
      let ns: number;
      try {
        const dm = /^(\d+)d(.*)$/.exec(d);
        ns = 0;
        if (dm) {
          ns = Number(dm[1]) * 86400e9;
          d = dm[2]!;
        }
        if (d) ns += parseGoDuration(d);
      } catch (e) {
        hookLog('error', `GetDecisionsSinceCount: ${errorMessage(e)}`);
        return 0;
      }
      return exprHooks.decisionsSinceCount(s(v, 'GetDecisionsSinceCount'), ns);
    },
  },
  GetActiveDecisionsCount: {
    min: 1,
    max: 1,
    ret: INT,
    fn: (v: unknown) =>
      exprHooks.activeDecisionsCount ? exprHooks.activeDecisionsCount(s(v, 'GetActiveDecisionsCount')) : 0,
  },
  GetActiveDecisionsTimeLeft: {
    min: 1,
    max: 1,
    ret: DURATION,
    fn: (v: unknown) =>
      exprHooks.activeDecisionsTimeLeft ? exprHooks.activeDecisionsTimeLeft(s(v, 'GetActiveDecisionsTimeLeft')) : 0,
  },
  CrowdsecCTI: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('CrowdsecCTI') },
  HTTPGet: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('HTTPGet') },
  HTTPHead: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('HTTPHead') },
  HTTPPost: { min: 3, max: 3, ret: ANY, fn: () => netDisabled('HTTPPost') },
  HTTPRequest: { min: 4, max: 4, ret: ANY, fn: () => netDisabled('HTTPRequest') },
  LibInjectionIsSQLI: {
    min: 1,
    max: 1,
    ret: BOOL,
    fn: () => {
      throw new RtError('LibInjectionIsSQLI: not implemented');
    },
  },
  LibInjectionIsXSS: {
    min: 1,
    max: 1,
    ret: BOOL,
    fn: () => {
      throw new RtError('LibInjectionIsXSS: not implemented');
    },
  },
  JA4H: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: () => {
      throw new RtError('JA4H: not implemented (AppSec only)');
    },
  },
};
