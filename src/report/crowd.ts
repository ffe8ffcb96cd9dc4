// Extension point for what Picket shared with the crowd. The store knows what was received (decisions of
// origin CAPI / lists); what was sent (signals) is recorded by the crowd client's outbox/audit, which is not
// part of this module: that module registers a `CrowdLedger` here and the report (and `picket gdpr export`)
// shows its figures. With no ledger registered the report says that sharing is not recorded.

export interface CrowdLedger {
  /** shown in the report ("crowd outbox audit", ...) */
  readonly name: string;
  /** signals sent in [from, to) (epoch ms), by scenario */
  signalsSent(from: number, to: number): { total: number; byScenario: { label: string; count: number }[] };
}

let ledger: CrowdLedger | null = null;

/** registers (or with null removes) the crowd ledger the report reads */
export function registerCrowdLedger(l: CrowdLedger | null): void {
  ledger = l;
}

export function crowdLedger(): CrowdLedger | null {
  return ledger;
}

/** origins of decisions received from outside: the community blocklist (CAPI) and subscribed lists */
export function isCrowdOrigin(origin: string): boolean {
  return origin === 'CAPI' || origin === 'lists' || origin.startsWith('lists:');
}
