// The hubtest expectation file (`expect.json`, format hubtest-expect/1) as far as a runner needs it,
// and the result JSON a runner prints. Owns: types + reading/validating the runner-relevant fields.
// The full contract is shared/hub-tests/README.md.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';

export interface ExpectItem {
  ref?: string;
  from: 'hub' | 'test';
  file: string;
  stage?: string;
  names?: string[];
}

export interface ExpectFile {
  format?: string;
  name: string;
  kind?: string;
  reference_now?: string;
  log_file: string;
  log_type: string;
  labels: Record<string, string>;
  override_statics: Record<string, string>[];
  ignore_parsers?: boolean;
  parsers: ExpectItem[];
  scenarios: ExpectItem[];
  postoverflows: ExpectItem[];
  data_files?: { dest_file: string; type?: string }[];
}

export interface ResultEvt {
  Parsed: Record<string, string>;
  Meta: Record<string, string>;
  Enriched: Record<string, string>;
  Unmarshaled: Record<string, unknown>;
  Whitelisted: boolean;
  WhitelistReason: string;
  StrTime?: string;
  MarshaledTime?: string;
  Stage?: string;
}

export interface ResultSource {
  ip: string;
  range: string;
  scope: string;
  value: string;
}

export interface ResultAlert {
  scenario: string;
  remediation: boolean;
  events_count: number;
  whitelisted: boolean;
  sources: Record<string, ResultSource>;
  source: ResultSource | null;
  events: { meta: Record<string, string>; timestamp: string }[];
  message: string;
  simulated: boolean;
}

export interface HubTestResult {
  name?: string;
  parse: Record<string, Record<string, { success: boolean; evt: ResultEvt }[]>>;
  alerts: ResultAlert[];
  error: string | null;
  /** informative extras */
  stats?: Record<string, number>;
  warnings?: string[];
}

export function readExpect(testDir: string): ExpectFile {
  const path = join(testDir, 'expect.json');
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${errorMessage(e)}`, { cause: e });
  }
  let j: Partial<ExpectFile>;
  try {
    j = JSON.parse(raw) as Partial<ExpectFile>;
  } catch (e) {
    throw new Error(`${path}: invalid JSON: ${errorMessage(e)}`, { cause: e });
  }
  if (typeof j.log_file !== 'string' || j.log_file === '') throw new Error(`${path}: "log_file" is missing`);
  return {
    ...j,
    name: j.name ?? '',
    log_file: j.log_file,
    log_type: j.log_type ?? '',
    labels: j.labels ?? {},
    override_statics: j.override_statics ?? [],
    parsers: j.parsers ?? [],
    scenarios: j.scenarios ?? [],
    postoverflows: j.postoverflows ?? [],
  };
}
