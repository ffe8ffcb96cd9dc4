// The AS a reporter connects from, from Picket's offline AS data (the @ip-location-db/asn ranges read by
// src/parser/enrich/geoip.ts). Only the AS number and the /24 or /48 of a reporter are kept, never its address.
// Loaded on first use; 0 when the address is not in the table (private, loopback) or no data is installed.

import { GeoIpDatabases } from '../parser/enrich/geoip.js';

export class AsLookup {
  private db: GeoIpDatabases | null | undefined;

  asnOf(address: string): number {
    if (this.db === undefined) this.db = GeoIpDatabases.open(undefined);
    const hit = this.db?.asnEnrich(address);
    const n = hit ? Number(hit.ASNNumber) : 0;
    return Number.isInteger(n) && n > 0 ? n : 0;
  }
}
