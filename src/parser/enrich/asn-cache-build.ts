// `npm run build:data`: writes build/asn-table.bin, the binary cache of the shipped AS data (asn-cache.ts).
// Owns: that build step only. Without the data package nothing is written (enrichment then has no AS side).

import { buildShippedAsnCache } from './geoip.js';

const t0 = performance.now();
const out = buildShippedAsnCache();
process.stdout.write(
  out === null
    ? 'asn cache: @ip-location-db/asn is not installed, nothing written\n'
    : `asn cache: ${out} (${Math.round(performance.now() - t0)} ms)\n`,
);
