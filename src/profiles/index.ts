// Public API of the profiles module (scenarios.md §10-§11): profiles.yaml loading, profile evaluation
// (alert -> decisions, notifications), Picket's embedded default profiles, simulation.yaml.

export {
  parseProfiles,
  loadProfilesFile,
  ProfileError,
  type Profile,
  type ProfileDecision,
  type OnSuccess,
  type OnFailure,
  type OnError,
} from './load.js';
export { applyProfiles, type ProfileContext, type ProfileOutcome } from './apply.js';
export { defaultProfiles, DEFAULT_PROFILES_YAML } from './defaults.js';
export { parseSimulation, loadSimulationFile, SimulationConfigError, type SimulationConfig } from './simulation.js';
