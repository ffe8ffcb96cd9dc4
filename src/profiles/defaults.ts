// Picket's embedded default profiles, in CrowdSec's profiles.yaml format: the stock behaviour (ban Ip and
// Range scoped remediation alerts for 4 hours, stop at the first match). Owns that text and its parsed form.

import { parseProfiles, type Profile } from './load.js';

/** One stock profile: remediation alerts of `scope` get a 4h ban. */
function remediationProfile(name: string, scope: 'Ip' | 'Range'): string {
  return `name: ${name}
#debug: true
filters:
 - Alert.Remediation == true && Alert.GetScope() == "${scope}"
decisions:
 - type: ban
   duration: 4h
#duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
#notifications:
#  - http_default
on_success: break
`;
}

export const DEFAULT_PROFILES_YAML =
  remediationProfile('default_ip_remediation', 'Ip') +
  '---\n' +
  remediationProfile('default_range_remediation', 'Range');

/** The embedded defaults, parsed (a fresh array each call: callers may keep or extend it). */
export function defaultProfiles(): Profile[] {
  return parseProfiles(DEFAULT_PROFILES_YAML, '<embedded default profiles>');
}
