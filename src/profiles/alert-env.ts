// The `Alert` variable of profile expressions: a stored-alert record (NewAlert of src/store/records.ts) turned
// into CrowdSec's `models.Alert` shape (Go field names, Go methods GetScope/GetValue/GetScenario/
// GetEventsCount/GetMeta, `Events[i].GetMeta`, `Source.*`), reusing the model classes of src/core/event.ts.
// Owns only that conversion.

import { Alert, AlertEvent, Source, type Decision, type MetaItem } from '../core/event.js';
import type { MetaRecord, NewAlert } from '../store/records.js';
import { formatRemaining, formatRfc3339, parseRfc3339 } from '../api/wire-time.js';

function metaItems(meta: MetaRecord[] | null | undefined): MetaItem[] {
  const out: MetaItem[] = [];
  if (meta) for (const m of meta) out.push({ Key: m.key, Value: m.value });
  return out;
}

export function toExprAlert(a: NewAlert): Alert {
  const alert = new Alert();
  alert.Capacity = a.capacity;
  alert.CreatedAt = a.createdAt === undefined ? '' : formatRfc3339(a.createdAt);
  alert.EventsCount = a.eventsCount;
  alert.Kind = a.kind;
  alert.Labels = a.labels ? a.labels.slice() : [];
  alert.Leakspeed = a.leakspeed;
  alert.MachineID = a.machineId;
  alert.Message = a.message;
  alert.Meta = metaItems(a.meta);
  alert.Remediation = a.remediation;
  alert.Scenario = a.scenario;
  alert.ScenarioHash = a.scenarioHash;
  alert.ScenarioVersion = a.scenarioVersion;
  alert.Simulated = a.simulated;
  alert.StartAt = a.startAt;
  alert.StopAt = a.stopAt;
  const src = new Source();
  src.Scope = a.source.scope;
  src.Value = a.source.value;
  src.IP = a.source.ip;
  src.Range = a.source.range;
  src.AsNumber = a.source.asNumber;
  src.AsName = a.source.asName;
  src.Cn = a.source.cn;
  src.Latitude = a.source.latitude;
  src.Longitude = a.source.longitude;
  alert.Source = src;
  for (const e of a.events) alert.Events.push(new AlertEvent(e.timestamp, metaItems(e.meta)));
  if (a.decisions.length > 0) {
    const stop = parseRfc3339(a.stopAt);
    for (const d of a.decisions) {
      const decision: Decision = {
        Duration: Number.isNaN(stop) ? '' : formatRemaining(d.until, stop),
        Origin: d.origin,
        Scenario: d.scenario,
        Scope: d.scope,
        Simulated: d.simulated,
        Type: d.type,
        Value: d.value,
      };
      alert.Decisions.push(decision);
    }
  }
  return alert;
}
