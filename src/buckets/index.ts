// Public surface of the bucket (scenario) stage: scenario loading and the bucket engine.
// Owns: re-exports only.

export { loadScenarios, ScenarioLoadError, setDefaultCompiler } from './scenario.js';
export type { Scenario, ScenarioSet, LoadOptions, Compiled, CompileFn } from './scenario.js';
export { BucketEngine, QueueView, mapKey } from './engine.js';
export type { EngineOptions, EngineStats } from './engine.js';
export { newAlert, eventsFromQueue, canonicalRange, usToGoTime } from './alert.js';
export { loadContextSpec, compileContext, contextMeta, ContextConfigError } from './context.js';
export type { AlertContext, ContextSpec, ContextSources } from './context.js';
export { WasmStore } from './wasmstore.js';
export { RefStore } from './refstore.js';
export type { BucketStore, StoreScenario, StoreStats } from './store.js';
