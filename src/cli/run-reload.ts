// SIGHUP for `picket run` (issue 11 §3, what `systemctl reload` sends): content (parsers, scenarios, data
// files), acquisition and profiles are reloaded. Everything new is loaded first — the acquisition documents,
// the profiles, a new pipeline on the content — and only when all of it loads is it swapped in, so an invalid
// new config leaves the running one untouched, with an error naming what failed. The swap: the sources stop
// (their read positions recorded), the old pipeline is drained (its alerts delivered) and closed, the new
// sources start where the old ones stopped (a stdin source is kept as it is: it cannot be reopened). Live
// buckets do not survive a content reload (as in CrowdSec). One stderr line says what was reloaded.
// Owns: the order of the steps; the agent (./run-agent.ts) provides them.

import { errorMessage } from '../core/errors.js';
import type { AcquisitionSource } from '../acquisition/config.js';
import type { Pipeline } from '../pipeline/pool.js';
import type { Profile } from '../profiles/index.js';

/** What the running agent lends to a reload. */
export interface ReloadTarget {
  /** the acquisition documents as at start (throws on an invalid file) */
  readSources(): AcquisitionSource[];
  /** the profiles file re-read, or null when there is no in-process LAPI (throws on an invalid file) */
  loadProfiles(): Profile[] | null;
  /** a new pipeline on the content (throws on invalid content) */
  buildPipeline(): Promise<Pipeline>;
  /** stops the running sources but stdin (positions recorded), swaps the pipeline (the old one drained and
   *  closed), starts the new sources; returns what is watched */
  swap(next: Pipeline, sources: AcquisitionSource[]): Promise<string[]>;
  /** the running profiles, replaced in place */
  applyProfiles(profiles: Profile[]): void;
  profilesOrigin: string;
  log(line: string): void;
}

/** a YAML error's excerpt on one line: the stderr line stays one line */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** One reload: all or nothing. Never throws (a failure is said, the running configuration stays). */
export async function reloadAgent(t: ReloadTarget): Promise<void> {
  let sources: AcquisitionSource[];
  let profiles: Profile[] | null;
  let pipe: Pipeline;
  try {
    sources = t.readSources().filter((s) => s.source !== 'stdin');
    profiles = t.loadProfiles();
    pipe = await t.buildPipeline();
  } catch (e) {
    t.log(`SIGHUP: ERROR: ${oneLine(errorMessage(e))}; nothing reloaded, the running configuration stays`);
    return;
  }
  let watched: string[];
  try {
    watched = await t.swap(pipe, sources);
  } catch (e) {
    t.log(`SIGHUP: ERROR while switching to the new configuration: ${oneLine(errorMessage(e))}`);
    return;
  }
  if (profiles !== null) t.applyProfiles(profiles);
  const scenarios = pipe.content.scenarios.scenarios.length;
  t.log(
    `SIGHUP: reloaded content ${pipe.content.origin} (${scenarios} scenarios), ` +
      `acquisition (watching ${watched.length ? watched.join(', ') : 'nothing'})` +
      (profiles !== null
        ? `, profiles from ${t.profilesOrigin} (${profiles.length} profile(s))`
        : ', no profiles (--no-api)') +
      '; read positions kept',
  );
}
