// src/api: the wire vocabulary shared by every side of Picket — the agent (src/pipeline), the Local API
// (src/lapi, src/store, src/profiles), the CLI and the client library (src/client) — and by the coming Central
// API client. It imports nothing but src/core: anything may import it, it imports no stage.
//
//   alerts.ts          LAPI Alert / Decision / Source / Event / Meta JSON and the runtime alert -> JSON mapping
//   manual-decision.ts a decision typed by a person (CLI, console) and the cscli-shaped alert carrying it
//   scope.ts           scope names (Ip, Range, AS, Country) and the one scope normalisation
//   wire-time.ts       Go durations and RFC 3339 times as the wire writes them (parser: src/core/gotime.ts)
//   protobuf*.ts       the bouncer protobuf schema (proto/decisions.proto) with its encoder and decoder
//   capi.ts            (planned) Central API models: signals, community blocklists, enrolment
//
// A new wire model (another API, another format) gets its own module here, beside the ones above.

export * from './alerts.js';
export * from './manual-decision.js';
export * from './scope.js';
export * from './wire-time.js';
