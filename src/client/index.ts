// Public entry of the Local API client library: bouncer and watcher clients, their types and errors.
export {
  BouncerClient,
  DecisionPoller,
  type BouncerClientOptions,
  type StreamOptions,
  type LookupQuery,
  type WireFormat,
} from './bouncer.js';
export { WatcherClient, type WatcherClientOptions, type LoginResult } from './watcher.js';
export type { ClientDecision, DecisionDelta } from './decisions.js';
export type { AlertInput, AlertResponse, AlertDecision, AlertQuery, DecisionDeleteQuery } from './alerts.js';
export { LapiError, LapiUnreachableError } from './errors.js';
export { CLIENT_USER_AGENT, CLIENT_VERSION } from './version.js';
export { AlertForwarder, type ForwarderOptions, type ForwarderStats } from './forwarder.js';
