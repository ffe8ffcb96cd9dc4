// ESLint flat config of Picket: typescript-eslint's recommended rules, import cycles (import-x/no-cycle), the
// folder layering of docs/ARCHITECTURE.md (import-x/no-restricted-paths zones built from LAYERS below), lines of
// at most 120 characters (URLs, strings, template literals and regexps excepted), functions of at most 120 lines
// (blank lines and comments not counted) and no `any`.
// `npm run lint` runs it on src, test and bench.

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/**
 * Which src/ folders each folder may import (besides itself). Anything may import core/ and net/ (the IP home);
 * api/ and client/ import nothing above them. A folder missing here is not restricted as
 * an importer; add its line when it is created. The same table is drawn in docs/ARCHITECTURE.md.
 */
export const LAYERS = {
  core: [],
  net: ['core'],
  api: ['core', 'net'],
  client: ['core', 'net', 'api'],
  config: ['core', 'net', 'api', 'client'],
  grok: ['core'],
  expr: ['core', 'net', 'grok'],
  parser: ['core', 'net', 'api', 'expr', 'grok'],
  buckets: ['core', 'net', 'api', 'expr', 'grok'],
  acquisition: ['core', 'net', 'api', 'config'],
  metrics: ['core', 'net', 'api', 'acquisition', 'parser', 'expr', 'grok', 'buckets'],
  store: ['core', 'net', 'api', 'acquisition'],
  profiles: ['core', 'net', 'api', 'expr', 'store'],
  lapi: ['core', 'net', 'api', 'config', 'store', 'profiles', 'metrics'],
  pipeline: ['core', 'net', 'api', 'config', 'acquisition', 'parser', 'expr', 'grok', 'buckets', 'metrics', 'hub'],
  hubtest: [
    'core',
    'net',
    'api',
    'config',
    'acquisition',
    'pipeline',
    'parser',
    'expr',
    'grok',
    'buckets',
    'metrics',
    'hub',
  ],
  capi: ['core', 'net', 'api', 'config', 'client', 'store', 'profiles', 'lapi', 'metrics'],
  hub: ['core', 'net', 'api', 'config'],
  import: ['core', 'net', 'api', 'store'],
  notifications: ['core', 'net', 'api', 'config', 'expr', 'profiles', 'store'],
  report: ['core', 'net', 'api', 'config', 'parser', 'store'],
  gdpr: ['core', 'net', 'api', 'config', 'report', 'store'],
  central: ['core', 'net', 'api', 'config', 'parser', 'store', 'lapi'],
  console: ['core', 'net', 'api', 'config', 'store', 'report', 'gdpr'],
};

/**
 * Known imports that break the table, each to be removed by the work named (the integrator drops the line).
 * Paths are relative to the imported folder.
 */
const PENDING = {};

/** Folders above every layer of the table (and folders being built by other work): only the strict bottom
 * folders are kept from importing them; the others' lines are added with them. */
const ABOVE = ['cli', 'central', 'notifications', 'report', 'console', 'gdpr', 'hub'];
const STRICT = ['core', 'net', 'api', 'client'];
const FOLDERS = Object.keys(LAYERS);
const zones = FOLDERS.flatMap((target) =>
  [...FOLDERS, ...(STRICT.includes(target) ? ABOVE : ['cli'])]
    .filter((from) => from !== target && !LAYERS[target].includes(from))
    .map((from) => ({
      target: `./src/${target}`,
      from: `./src/${from}`,
      except: PENDING[`${target}<-${from}`] ?? [],
      message: `src/${target} may not import src/${from} (layering: docs/ARCHITECTURE.md, eslint.config.js LAYERS)`,
    })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'wasm/**', 'test/**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true, IIFEs: true }],
      // `_name`: a parameter an interface requires and this implementation does not read
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
