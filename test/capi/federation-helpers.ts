// Fixtures of the federation end-to-end test (issue 13): the central's configuration for a small private
// federation as docs/CONSENSUS.md documents it (read from the doc, so the doc cannot drift from what is tested),
// and a site's content installed CrowdSec's way from a hub: Picket's parsers, and its ssh-bf scenario linked from
// a hub folder whose `.index.json` lists the file's digest — its alerts then carry the scenario's hash and
// version, and a central reading the same index counts them as `certified` (Picket's built-in content is
// `custom`, which no consensus counts).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../cli/helpers.js';

/** the YAML block that follows `<!-- federation.yaml -->` in docs/CONSENSUS.md */
export function documentedFederationConfig(): Record<string, unknown> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/CONSENSUS.md'), 'utf8');
  const m = /<!-- federation\.yaml -->\s*```yaml\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/CONSENSUS.md: no ```yaml block after <!-- federation.yaml -->');
  return YAML.parse(m[1]!) as Record<string, unknown>;
}

export interface HubSite {
  /** config_dir: parsers, postoverflows and data of Picket, scenarios/ssh-bf.yaml linked into the hub */
  configDir: string;
  hubDir: string;
  /** hub_dir/.index.json (give it to the central as hub_index) */
  index: string;
  scenario: string;
  /** sha256 of the installed scenario file (the signals' scenario_hash) */
  hash: string;
}

/** a site's content installed from a one-scenario hub under `dir` (see the header) */
export function hubSite(dir: string): HubSite {
  const hubDir = path.join(dir, 'hub');
  const configDir = path.join(dir, 'etc');
  const rel = 'scenarios/picket/ssh-bf.yaml';
  const file = path.join(hubDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'scenarios/picket/ssh-bf.yaml'), file);
  const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const scenario = 'picket/ssh-bf';
  const index = path.join(hubDir, '.index.json');
  fs.writeFileSync(
    index,
    JSON.stringify({
      scenarios: { [scenario]: { path: rel, version: '0.1', versions: { '0.1': { digest: hash } } } },
    }),
  );
  fs.mkdirSync(path.join(configDir, 'scenarios'), { recursive: true });
  for (const d of ['parsers', 'postoverflows', 'data']) fs.symlinkSync(path.join(ROOT, d), path.join(configDir, d));
  fs.symlinkSync(file, path.join(configDir, 'scenarios', 'ssh-bf.yaml'));
  return { configDir, hubDir, index, scenario, hash };
}
