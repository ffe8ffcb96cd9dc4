// Entry point of Picket Central's consensus: the contract (types.ts), the implementation the server runs
// (WeightedConsensus), its config loader and the canary data.

export * from './types.js';
export { WeightedConsensus } from './engine.js';
export {
  DEFAULT_CONSENSUS,
  loadConsensusConfig,
  parseConsensusConfig,
  ConsensusConfigError,
  type ConsensusConfig,
} from './config.js';
export { CanarySet, BUILTIN_CANARIES, type CanaryKind } from './canaries.js';
export { ConsensusStateError } from './state.js';

import { WeightedConsensus } from './engine.js';
import type { ConsensusConfig } from './config.js';
import type { Consensus } from './types.js';

/** The consensus the server runs, with `cfg` over the defaults. */
export function createConsensus(cfg: Partial<ConsensusConfig> = {}): Consensus & WeightedConsensus {
  return new WeightedConsensus(cfg);
}
