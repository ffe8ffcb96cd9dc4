// Profile evaluation (scenarios.md §11, CrowdSec `csprofiles.EvaluateProfile` + the alerts controller): turns
// an alert received without decisions into the decisions to store with it, the notification plugins to call
// and the names of the profiles that matched. Owns the evaluation loop (filters OR-ed, one decision set per
// true filter, first matching profile wins the decisions, on_success / on_error), decision generation
// (scope, value, duration / duration_expr, origin, simulated, `until` anchored at the alert's stop_at) and
// binding the LAPI-backed expression helpers (GetDecisionsCount ...) to the caller's ProfileContext.

import { exprHooks, ExprRuntimeError, type ExprHooks } from '../expr/index.js';
import type { ValueKind } from '../expr/index.js';
import { formatGoDuration } from '../core/gotime.js';
import { parseRfc3339, parseWireDuration } from '../api/wire-time.js';
import { parseIpOrRange } from '../store/iprange.js';
import type { NewAlert, NewDecision } from '../store/records.js';
import { toExprAlert } from './alert-env.js';
import { profileLabel, ProfileError, type Profile } from './load.js';

export interface ProfileContext {
  now: number;
  /** decisions (of any alert) whose value is `value`; `since`: created at or after that time */
  countDecisions(value: string, opts: { activeOnly: boolean; since?: number; now: number }): number;
  /** time left (ms) of the longest active decision for `value`; 0 when none */
  timeLeftMs?(value: string, now: number): number;
}

export interface ProfileOutcome {
  /** decisions to store with the alert (empty for an alert that came with its own decisions) */
  decisions: NewDecision[];
  /** the duration text of each of `decisions` (profile `duration` or duration_expr result), for notifications */
  durations: string[];
  /** notification plugin names, in profile order (repeated if several profiles name one) */
  notifications: string[];
  /** names of the profiles that matched, in order */
  matched: string[];
  /** generated Ip/Range decisions dropped because their value is not an IP or CIDR */
  dropped: number;
  /** evaluation problems that did not fail the alert (on_error handled, duration_expr failures, drops) */
  warnings: string[];
}

interface FilterFailure {
  field: string;
  reason: string;
}

/** A generated decision before storage: duration not yet checked, `until` not yet computed. */
interface PendingDecision extends Omit<NewDecision, 'until' | 'simulated'> {
  profile: Profile;
  index: number;
  durationText: string | null;
  durationMs: number | null;
}

// ---- LAPI-backed helpers: the hooks read the context of the evaluation in progress (applyProfiles is
// synchronous, so one module-level slot is enough). ----
let current: ProfileContext | null = null;

const HOOKS: Pick<
  ExprHooks,
  'decisionsCount' | 'decisionsSinceCount' | 'activeDecisionsCount' | 'activeDecisionsTimeLeft'
> = {
  decisionsCount: (value) => (current ? current.countDecisions(value, { activeOnly: false, now: current.now }) : 0),
  decisionsSinceCount: (value, sinceNs) =>
    current
      ? current.countDecisions(value, { activeOnly: false, since: current.now - sinceNs / 1e6, now: current.now })
      : 0,
  activeDecisionsCount: (value) =>
    current ? current.countDecisions(value, { activeOnly: true, now: current.now }) : 0,
  activeDecisionsTimeLeft: (value) =>
    current?.timeLeftMs ? Math.max(0, current.timeLeftMs(value, current.now)) * 1e6 : 0,
};
type HookName = keyof typeof HOOKS;
const HOOK_NAMES = Object.keys(HOOKS) as HookName[];

/** Go `fmt.Sprint` of a duration_expr result. */
function sprintResult(v: unknown, kind: ValueKind): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') {
    if (kind === 'duration') return formatGoDuration(v);
    return kind === 'int' ? String(Math.trunc(v)) : String(v);
  }
  return String(v);
}

function errorText(e: unknown): string {
  if (e instanceof ExprRuntimeError) return `runtime error in expression ${JSON.stringify(e.source)}: ${e.reason}`;
  return e instanceof Error ? e.message : String(e);
}

class Evaluation {
  readonly out: ProfileOutcome = {
    decisions: [],
    durations: [],
    notifications: [],
    matched: [],
    dropped: 0,
    warnings: [],
  };
  private readonly env: { Alert: unknown };
  private attached = false;

  constructor(private readonly alert: NewAlert) {
    this.env = { Alert: toExprAlert(alert) };
  }

  private label(p: Profile): string {
    return `${p.where}: ${profileLabel(p.name, p.document)}`;
  }

  /** duration of the profile's decisions: duration_expr when it runs and parses, else the static one. */
  private exprDuration(p: Profile): { text: string; ms: number } | null {
    if (!p.durationExpr) return null;
    let v: unknown;
    try {
      v = p.durationExpr.run(this.env);
    } catch (e) {
      this.out.warnings.push(`${this.label(p)}: duration_expr failed, static duration kept: ${errorText(e)}`);
      return null;
    }
    const text = sprintResult(v, p.durationExpr.kind);
    const ms = parseWireDuration(text);
    if (ms === null) {
      this.out.warnings.push(
        `${this.label(p)}: duration_expr result "${text}" is not a duration, static duration kept`,
      );
      return null;
    }
    return { text, ms };
  }

  private generate(p: Profile, into: PendingDecision[]): void {
    const a = this.alert;
    const fromExpr = this.exprDuration(p);
    p.decisions.forEach((d, index) => {
      into.push({
        profile: p,
        index,
        durationText: fromExpr ? fromExpr.text : d.duration,
        durationMs: fromExpr ? fromExpr.ms : d.durationMs,
        scenario: a.scenario,
        type: d.type,
        scope: d.scope ?? a.source.scope,
        value: a.source.value,
        origin: d.origin === null ? 'crowdsec' : `crowdsec/${d.origin}`,
      });
    });
  }

  /** Runs the filters of one profile: matched flag, pending decisions, or the first error. */
  private evaluate(
    p: Profile,
    withDecisions: boolean,
  ): { matched: boolean; pending: PendingDecision[]; error: FilterFailure | null } {
    let matched = false;
    const pending: PendingDecision[] = [];
    for (let i = 0; i < p.filters.length; i++) {
      const f = p.filters[i]!;
      let r: unknown;
      try {
        r = f.run(this.env);
      } catch (e) {
        return { matched, pending: [], error: { field: `filters[${i}]`, reason: errorText(e) } };
      }
      if (typeof r !== 'boolean') {
        return {
          matched,
          pending: [],
          error: {
            field: `filters[${i}]`,
            reason: `unexpected type ${r === null ? 'nil' : typeof r} (${String(r)}) returned by ${JSON.stringify(f.source)}, expected a boolean`,
          },
        };
      }
      if (p.debug) this.out.warnings.push(`${this.label(p)}: debug: filters[${i}] ${JSON.stringify(f.source)} = ${r}`);
      if (r) {
        matched = true;
        if (withDecisions) this.generate(p, pending);
      }
    }
    return { matched, pending, error: null };
  }

  /** Stores the decisions of the first matching profile: a missing/invalid duration fails the alert. */
  private attach(pending: PendingDecision[], stopMs: number): void {
    this.attached = pending.length > 0;
    for (const d of pending) {
      const field = `decisions[${d.index}].duration`;
      if (d.durationMs === null) {
        throw new ProfileError(
          d.profile.where,
          profileLabel(d.profile.name, d.profile.document),
          field,
          `no valid duration for the decision (duration missing or ${JSON.stringify(d.durationText ?? '')} invalid)`,
        );
      }
      if ((d.scope === 'Ip' || d.scope === 'Range') && parseIpOrRange(d.value) === null) {
        this.out.dropped++;
        this.out.warnings.push(
          `${this.label(d.profile)}: dropped ${d.scope} decision: '${d.value}' is not an IP or range`,
        );
        continue;
      }
      this.out.decisions.push({
        until: stopMs + d.durationMs,
        scenario: d.scenario,
        type: d.type,
        scope: d.scope,
        value: d.value,
        // CrowdSec stores the alert's flag: the generated decision's (profile flag or alert flag) never reaches
        // storage, so a profile's `simulated: true` has no effect there either (scenarios.md §11)
        origin: d.origin,
        simulated: this.alert.simulated,
      });
      this.out.durations.push(d.durationText ?? '');
    }
  }

  /** Alert without decisions: profiles decide (controller CreateAlert, non-manual branch). */
  runGenerating(profiles: Profile[], now: number): void {
    const stop = parseRfc3339(this.alert.stopAt);
    const stopMs = Number.isNaN(stop) ? now : stop;
    for (const p of profiles) {
      const r = this.evaluate(p, !this.attached); // decisions are generated only while they can still be attached
      let matched = r.matched;
      let forceBreak = false;
      if (r.error !== null) {
        switch (p.onError) {
          case 'apply':
            matched = true;
            break;
          case 'break':
            forceBreak = true;
            break;
          case 'continue':
          case 'ignore':
            break;
          default:
            throw new ProfileError(p.where, profileLabel(p.name, p.document), r.error.field, r.error.reason);
        }
        this.out.warnings.push(`${this.label(p)}: ${r.error.field}: ${r.error.reason} (on_error: ${p.onError})`);
      }
      if (!matched) continue;
      if (!this.attached) this.attach(r.pending, stopMs);
      this.out.matched.push(p.name);
      for (const n of p.notifications) this.out.notifications.push(n);
      if (p.onSuccess === 'break' || forceBreak) break;
    }
  }

  /** Alert that came with its decisions (cscli, imports): profiles only pick notifications; errors skip. */
  runNotifying(profiles: Profile[]): void {
    for (const p of profiles) {
      const r = this.evaluate(p, false);
      if (r.error !== null) {
        this.out.warnings.push(`${this.label(p)}: ${r.error.field}: ${r.error.reason}`);
        continue;
      }
      if (!r.matched) continue;
      this.out.matched.push(p.name);
      for (const n of p.notifications) this.out.notifications.push(n);
      if (p.onSuccess === 'break') break;
    }
  }
}

/**
 * Evaluates `profiles` in order for `alert` (as it will be stored; `decisions: []` for engine alerts).
 * Throws ProfileError when a filter errors and the profile has no on_error (the HTTP layer answers 500), or
 * when an attached decision has no valid duration.
 */
export function applyProfiles(profiles: Profile[], alert: NewAlert, ctx: ProfileContext): ProfileOutcome {
  const saved: Partial<Record<HookName, unknown>> = {};
  for (const k of HOOK_NAMES) saved[k] = exprHooks[k];
  const previous = current;
  Object.assign(exprHooks, HOOKS);
  current = ctx;
  try {
    const ev = new Evaluation(alert);
    if (alert.decisions.length > 0) ev.runNotifying(profiles);
    else ev.runGenerating(profiles, ctx.now);
    return ev.out;
  } finally {
    current = previous;
    const hooks = exprHooks as Record<string, unknown>;
    for (const k of HOOK_NAMES) {
      if (saved[k] === undefined) delete hooks[k];
      else hooks[k] = saved[k];
    }
  }
}
