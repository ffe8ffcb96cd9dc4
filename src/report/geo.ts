// Country, AS and range of an alert's source for the report: the values the alert already carries (the
// agent's GeoIP enrichment: source cn / as_number / as_name / range) win; the missing ones are looked up in
// the offline GeoIP databases of src/parser/enrich (the shipped @ip-location-db packages), once per address.

import { GeoIpDatabases, GEO_ATTRIBUTION } from '../parser/enrich/geoip.js';
import type { SourceRecord } from '../store/records.js';

export interface Located {
  country: string;
  asNumber: string;
  asName: string;
  range: string;
}

export class SourceLocator {
  private readonly cache = new Map<string, Located>();
  readonly source: string | null;
  readonly attribution = GEO_ATTRIBUTION;

  constructor(private readonly db: GeoIpDatabases | null = GeoIpDatabases.open()) {
    this.source = db ? [db.sources.city, db.sources.asn].filter((s) => s !== null).join(', ') : null;
  }

  locate(s: SourceRecord): Located {
    const ip = s.ip || (s.scope === 'Ip' ? s.value : '');
    const own: Located = {
      country: s.cn ?? '',
      asNumber: s.asNumber && s.asNumber !== '0' ? s.asNumber : '',
      asName: s.asName ?? '',
      range: s.range ?? (s.scope === 'Range' ? s.value : ''),
    };
    if (ip === '' || (own.country !== '' && own.asNumber !== '' && own.range !== '')) return own;
    let found = this.cache.get(ip);
    if (found === undefined) {
      const city = this.db?.cityEnrich(ip) ?? null;
      const asn = this.db?.asnEnrich(ip) ?? null;
      const range = this.db?.ipToRange(ip) ?? null;
      found = {
        country: city?.IsoCode ?? '',
        asNumber: asn && asn.ASNNumber !== '0' ? asn.ASNNumber : '',
        asName: asn?.ASNOrg ?? '',
        range: range?.SourceRange ?? '',
      };
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(ip, found);
    }
    return {
      country: own.country || found.country,
      asNumber: own.asNumber || found.asNumber,
      asName: own.asNumber ? own.asName : found.asName,
      range: own.range || found.range,
    };
  }
}
