// The alert context of `picket run` and `picket replay` (src/buckets/context.ts): the context file named by
// --context, else the config's console_context_path (it must exist), else config_dir/console/context.yaml when
// present (CrowdSec's default), plus the hub's contexts items enabled under config_dir/contexts. Owns: choosing
// these paths and turning their errors into CLI errors (they name the file, the line and the key).

import path from 'node:path';
import { CliError } from './command.js';
import { loadContextSpec, type ContextSources, type ContextSpec } from '../buckets/index.js';
import type { PicketConfig } from '../config/config.js';
import { DEFAULT_CONTEXT_FILE } from '../config/defaults.js';
import { errorMessage } from '../core/errors.js';

/** the context file `picket lapi context` edits and the agent reads, and whether it may be missing */
export function contextFileOf(config: PicketConfig, explicit?: string): { file: string; optional: boolean } {
  if (explicit !== undefined) return { file: explicit, optional: false };
  if (config.consoleContextPath !== undefined) return { file: config.consoleContextPath, optional: false };
  if (config.configDir !== undefined)
    return { file: path.join(config.configDir, 'console', 'context.yaml'), optional: true };
  return { file: DEFAULT_CONTEXT_FILE, optional: true };
}

/** The merged context (null: no key), or a CliError naming the file, line and key. */
export function contextSpecOf(config: PicketConfig, explicit?: string): ContextSpec | null {
  const { file, optional } = contextFileOf(config, explicit);
  const src: ContextSources = { file, fileOptional: optional };
  if (config.configDir !== undefined) src.configDir = config.configDir;
  if (config.consoleContextValueLength !== undefined) src.valueLength = config.consoleContextValueLength;
  try {
    return loadContextSpec(src);
  } catch (e) {
    throw new CliError(errorMessage(e), 1);
  }
}
