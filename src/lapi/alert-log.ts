// The log line the LAPI writes for each alert it stores, in CrowdSec's words
// (`(machine/crowdsec) crowdsecurity/ssh-bf by ip 192.0.2.1 (FR/64496) : 4h ban on Ip 192.0.2.1`), so an operator
// sees which decision each alert led to. Owns: the line's format and the decision texts.

import type { NewAlert } from '../store/records.js';
import { formatGoDuration } from '../core/gotime.js';

/** `durations[i]`: decision i's duration as configured (profile text); else computed from `until - stop_at`. */
export function alertLogLine(machineId: string, alert: NewAlert, durations: readonly string[]): string {
  const src = alert.source;
  const stop = Date.parse(alert.stopAt);
  const decisions = alert.decisions.map((d, i) => {
    const text = durations[i] || (Number.isFinite(stop) ? formatGoDuration(Math.max(0, d.until - stop) * 1e6) : '');
    return `${text} ${d.type} on ${d.scope} ${d.value}${d.simulated ? ' (simulated)' : ''}`;
  });
  const who = src.scope === 'Ip' ? `ip ${src.value}` : `${src.scope.toLowerCase()} ${src.value}`;
  const where = `(${src.cn || '?'}/${src.asNumber || 0})`;
  const what = decisions.length ? decisions.join(', ') : 'no decision';
  return `(${machineId}/crowdsec) ${alert.scenario} by ${who} ${where} : ${what}`;
}
