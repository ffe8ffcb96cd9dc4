// Extension point of the GDPR tools: modules that keep personal data outside the Local API store (the crowd
// client's signal outbox and audit trail, a notification queue, ...) register a `PersonalDataHolder`; then
// `picket gdpr export` lists what they hold about an address and `picket gdpr erase` erases it there too.
// The store, the allowlists and the erasure records are handled by ./export.ts and ./erase.ts themselves.

/** one piece of data about an address, with when it will be deleted */
export interface PersonalItem {
  /** alert, decision, community-decision, allowlist-item, usage-metrics, bouncer, machine, signal, ... */
  kind: string;
  /** where it is kept (`store:alerts`, `crowd outbox`, ...) */
  where: string;
  id: string;
  /** when it will be deleted at the latest (RFC 3339), null: kept until an operator removes it */
  deleteBy: string | null;
  /** the rule that deletes it */
  retention: string;
  data: unknown;
}

export interface PersonalDataHolder {
  /** shown in export and erase reports */
  readonly name: string;
  /** data it holds about the address (a single IP, as typed by the user) */
  find(ip: string): Promise<PersonalItem[]>;
  /** erases the address; returns counts by kind of record */
  erase(ip: string): Promise<Record<string, number>>;
}

const holders = new Map<string, PersonalDataHolder>();

/** registers a holder (a second one with the same name replaces the first) */
export function registerHolder(h: PersonalDataHolder): void {
  holders.set(h.name, h);
}

export function unregisterHolder(name: string): void {
  holders.delete(name);
}

export function registeredHolders(): PersonalDataHolder[] {
  return [...holders.values()];
}
