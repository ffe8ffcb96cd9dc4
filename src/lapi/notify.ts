// The Local API's side of notifications: the hook it hands stored alerts to (implemented by
// src/notifications' Notifier, wired by the CLI so that the LAPI imports nothing of it), and the alert as the
// notification templates receive it — CrowdSec's models.Alert JSON (the GET /v1/alerts/:id shape) whose
// decisions carry the duration as the profile or the watcher wrote it (`4h`), as CrowdSec sends them before
// storing. Owns that hook type and that conversion.

import type { LapiStore } from '../store/records.js';
import { alertToJSON } from './alert-model.js';

export interface AlertNotifyHook {
  /** never throws, never waits */
  dispatch(names: string[], alert: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** A stored alert and its decisions as a notification sees it (null when it is already gone). */
export function notificationAlert(
  store: LapiStore,
  id: number,
  durations: string[],
  now: number,
): Record<string, unknown> | null {
  const a = store.getAlert(id);
  if (a === undefined) return null;
  const decisions = [];
  for (const did of a.decisionIds) {
    const d = store.getDecision(did);
    if (d !== undefined) decisions.push(d);
  }
  const json = alertToJSON(a, decisions, now);
  const list = json.decisions as Record<string, unknown>[] | undefined;
  list?.forEach((d, i) => {
    if (durations[i]) d.duration = durations[i];
  });
  return json;
}
