// The parser engine's view of its sibling modules (expression compiler, grok library, enrichers, stash,
// data files). Owns: nothing but the import surface, so that an API change in a sibling touches one file.

export { compileExpr, goValueToString } from '../expr/index.js';
export type { CompiledExpr } from '../expr/index.js';
export { loadDataFile } from '../expr/datafiles.js';
export { configureStash, stashSet } from '../expr/stash.js';
export { PatternLibrary, GrokSet } from '../grok/index.js';
export type { GrokPattern } from '../grok/index.js';
export { getEnricher } from './enrich/index.js';
export type { EnrichContext } from './enrich/index.js';
