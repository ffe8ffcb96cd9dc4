// The state shared by the Local API route handlers: store, clock, authenticators, metrics, profiles, trusted
// networks, serialised machine bookkeeping, and alert ingestion (validation -> scope normalisation ->
// profiles for alerts without decisions -> one store transaction), used by POST /v1/alerts and by the
// in-process agent alike.

import { alertLogLine } from './alert-log.js';
import type { IpRange, LapiStore, MachineRecord, NewAlert } from '../store/records.js';
import { ipRangeContains, parseIpOrRange } from '../store/iprange.js';
import { applyProfiles, type Profile, type ProfileContext } from '../profiles/index.js';
import type { ApiKeyAuth } from './auth-apikey.js';
import type { JwtAuth } from './auth-jwt.js';
import { LoginLimiter } from './login-limit.js';
import type { LapiMetrics } from './metrics.js';
import { toNewAlert } from './alert-model.js';
import type { IncomingAlert } from './validate.js';
import { KeyedWriteQueue } from './write-queue.js';
import type { AllowlistStore } from '../store/allowlists.js';
import { notificationAlert, type AlertNotifyHook } from './notify.js';
import { PicketError } from '../core/errors.js';

export type MachinePatch = Partial<Omit<MachineRecord, 'machineId'>>;

export class LapiApp {
  readonly machineWrites: KeyedWriteQueue;
  /** failed logins per address (429 after too many) */
  readonly logins = new LoginLimiter();
  private readonly trusted: IpRange[];
  private readonly profileCtx: ProfileContext;
  /** alerts without decisions whose Ip/Range source is allowlisted are dropped (spec §6.6 step 3) */
  allowlists: AllowlistStore | null = null;
  /** stored alerts go to the notifications their matching profiles name (null: no notification configured) */
  notify: AlertNotifyHook | null = null;
  /** ids of stored alerts, after each store transaction (the crowd client's signal queue); must not throw */
  onStored: ((ids: number[]) => void) | null = null;
  /** one log line per stored alert naming its decisions (alert-log.ts); off below log_level info */
  alertLog = true;

  constructor(
    readonly store: LapiStore,
    readonly now: () => number,
    readonly apiKeys: ApiKeyAuth,
    readonly jwt: JwtAuth,
    readonly metrics: LapiMetrics,
    readonly profiles: Profile[],
    trustedIps: string[],
    readonly log: (line: string) => void,
  ) {
    this.machineWrites = new KeyedWriteQueue(log, 'machine');
    this.trusted = trustedIps.map((t) => {
      const r = parseIpOrRange(t);
      if (r === null)
        throw new PicketError('LAPI_BAD_TRUSTED_IPS', `trusted_ips: '${t}' is not an IP address or CIDR range`);
      return r;
    });
    const s = store;
    this.profileCtx = {
      now: 0,
      countDecisions: (value, opts) => s.countDecisions(value, opts),
      timeLeftMs: (value, now) => {
        let max = 0;
        for (const d of s.queryDecisions({ value }, now)) if (d.until - now > max) max = d.until - now;
        return max;
      },
    };
  }

  /** the generation a machine's tokens are bound to ('' for an unknown id) */
  readonly machineGen = (id: string): string => {
    const m = this.store.getMachine(id);
    return m === undefined ? '' : String(m.createdAt);
  };

  /** Client IP allowed to delete alerts (127.0.0.1, ::1 and trusted_ips by default). */
  isTrusted(ip: string): boolean {
    const r = parseIpOrRange(ip);
    if (r === null) return false;
    for (const t of this.trusted) if (ipRangeContains(t, r)) return true;
    return false;
  }

  /** Patch a machine record (serialised per machine; applied to the record current at write time). */
  updateMachine(machineId: string, patch: MachinePatch): Promise<void> {
    return this.machineWrites.run(machineId, () => {
      const cur = this.store.getMachine(machineId);
      if (cur === undefined) return undefined;
      return this.store.putMachine({ ...cur, ...patch, updatedAt: this.now() });
    });
  }

  /**
   * Validated alerts of `machineId` -> stored alerts; returns their ids as strings (POST /v1/alerts body).
   * Alerts with decisions keep them; the others get their decisions from the profiles (ProfileError
   * propagates: HTTP 500). An alert whose every decision had an unusable Ip/Range value is dropped.
   */
  async ingest(incoming: IncomingAlert[], machineId: string, now: number): Promise<string[]> {
    const alerts: NewAlert[] = [];
    /** per stored alert: the notifications to call and its decisions' duration texts */
    const notes: { names: string[]; durations: string[] }[] = [];
    for (const a of incoming) {
      const { alert, droppedDecisions } = toNewAlert(a, machineId, now);
      if (a.decisions.length > 0) {
        if (alert.decisions.length === 0) {
          this.log(`alert '${a.scenario}' from ${machineId} dropped: none of its decisions has a valid IP/range value`);
          continue;
        }
        if (droppedDecisions > 0)
          this.log(
            `alert '${a.scenario}' from ${machineId}: ${droppedDecisions} decision(s) with an invalid IP/range value dropped`,
          );
        notes.push(this.notifyWithDecisions(alert, a, now));
      } else {
        if (this.allowlists !== null && (alert.source.scope === 'Ip' || alert.source.scope === 'Range')) {
          const r = parseIpOrRange(alert.source.value);
          if (r !== null && this.allowlists.isAllowlisted(r, now)) continue;
        }
        this.profileCtx.now = now;
        const outcome = applyProfiles(this.profiles, alert, this.profileCtx);
        for (const w of outcome.warnings) this.log(`profiles: ${w}`);
        if (outcome.decisions.length === 0 && outcome.dropped > 0) {
          this.log(`alert '${a.scenario}' from ${machineId} dropped: none of its decisions has a valid IP/range value`);
          continue;
        }
        alert.decisions = outcome.decisions;
        notes.push({ names: outcome.notifications, durations: outcome.durations });
      }
      alerts.push(alert);
    }
    if (alerts.length === 0) return [];
    const ids = await this.store.addAlerts(alerts);
    if (this.alertLog) alerts.forEach((al, i) => this.log(alertLogLine(machineId, al, notes[i]?.durations ?? [])));
    if (this.notify !== null) this.sendNotifications(ids, notes, now);
    this.onStored?.(ids);
    void this.updateMachine(machineId, { lastPush: now });
    return ids.map(String);
  }

  /** An alert that came with its decisions: the profiles only pick its notifications (errors skip a profile). */
  private notifyWithDecisions(
    alert: NewAlert,
    a: IncomingAlert,
    now: number,
  ): { names: string[]; durations: string[] } {
    if (this.notify === null) return { names: [], durations: [] };
    this.profileCtx.now = now;
    const names = applyProfiles(this.profiles, alert, this.profileCtx).notifications;
    // the kept decisions are the incoming ones in order, minus those whose Ip/Range value did not parse
    const durations: string[] = [];
    for (const d of a.decisions) {
      const k = alert.decisions[durations.length];
      const same = k && k.value === d.value && k.type === d.type && k.scenario === d.scenario && k.origin === d.origin;
      if (same) durations.push(d.duration);
    }
    return { names, durations };
  }

  private sendNotifications(ids: number[], notes: { names: string[]; durations: string[] }[], now: number): void {
    ids.forEach((id, i) => {
      const n = notes[i];
      if (!n || n.names.length === 0) return;
      const json = notificationAlert(this.store, id, n.durations, now);
      if (json !== null) this.notify!.dispatch(n.names, json);
    });
  }
}
