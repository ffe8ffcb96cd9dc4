// Function table for expressions: expr-lang builtins (expr.md §4, fn/builtins.ts) and CrowdSec helpers
// (expr.md §5) by topic in fn/ (strings, url, json, kv, time, ip, files, xml, lists, lookups).
// Owns: the assembled table, the hubtest-only helpers and the Go parameter types checked at compile time.
// Helpers that fail in Go with an error throw RtError; helpers that log and return a neutral value do so.

import { STRING } from './schema.js';
import { s, type FnDef } from './fn/args.js';
import { BUILTINS } from './fn/builtins.js';
import { LIST_FUNCTIONS } from './fn/lists.js';
import { STRING_FUNCTIONS } from './fn/strings.js';
import { URL_FUNCTIONS } from './fn/url.js';
import { JSON_FUNCTIONS } from './fn/json.js';
import { KV_FUNCTIONS } from './fn/kv.js';
import { TIME_FUNCTIONS } from './fn/time.js';
import { IP_FUNCTIONS } from './fn/ip.js';
import { FILE_FUNCTIONS } from './fn/files.js';
import { XML_FUNCTIONS } from './fn/xml.js';
import { LOOKUP_FUNCTIONS } from './fn/lookups.js';
export { TIME_EXTRA } from './fn/time.js';
export type { FnDef } from './fn/args.js';

export const FUNCTIONS: Record<string, FnDef> = {
  ...BUILTINS,
  ...LIST_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...URL_FUNCTIONS,
  ...JSON_FUNCTIONS,
  ...KV_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...FILE_FUNCTIONS,
  ...XML_FUNCTIONS,
  ...LOOKUP_FUNCTIONS,
};

/** Helpers only present in some environments. */
export const HUBTEST_FUNCTIONS: Record<string, FnDef> = {
  basename: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => {
      const x = s(v, 'basename');
      if (x === '') return '.';
      const t = x.replace(/\/+$/, '');
      if (t === '') return '/';
      return t.slice(t.lastIndexOf('/') + 1);
    },
  },
};

/** Go parameter types of the CrowdSec helpers, checked at compile time when the argument's static type is known.
 *  s string, i int, f float64 (int accepted), m map, l slice, a any; `*x` = variadic x. */
export const HELPER_PARAMS: Record<string, string> = {
  Lower: 's',
  Upper: 's',
  File: 's',
  UnmarshalJSON: 'sms',
  JsonExtract: 'ss',
  JsonExtractLib: 's*s',
  JsonExtractUnescape: 's*s',
  JsonExtractSlice: 'ss',
  JsonExtractObject: 'ss',
  ToJsonString: 'a',
  ParseKV: 'sms',
  ParseKVLax: 'sms',
  IpInRange: 'ss',
  IpToRange: 'ss',
  IsIP: 's',
  IsIPV4: 's',
  IsIPV6: 's',
  XMLGetNodeValue: 'ss',
  XMLGetAttributeValue: 'sss',
  Match: 'ss',
  Split: 'ss',
  SplitN: 'ssi',
  SplitAfter: 'ss',
  SplitAfterN: 'ssi',
  TrimSpace: 's',
  Trim: 'ss',
  TrimLeft: 'ss',
  TrimRight: 'ss',
  TrimPrefix: 'ss',
  TrimSuffix: 'ss',
  Fields: 's',
  Index: 'ss',
  IndexAny: 'ss',
  Join: 'ls',
  Replace: 'sssi',
  ReplaceAll: 'sss',
  RegexpInFile: 'ss',
  LookupFile: 'ss',
  FileMap: 's',
  MatchKnownBot: 'sss*s',
  QueryUnescape: 's',
  PathUnescape: 's',
  QueryEscape: 's',
  PathEscape: 's',
  ParseUri: 's',
  ParseQuery: 's',
  ExtractQueryParam: 'ss',
  Sprintf: 's*a',
  Distance: 'ssss',
  GetFromStash: 'ss',
  SetInStash: 'sssa',
  MedianInterval: 'l',
  AverageInterval: 'l',
  Get: 'li',
  ToString: 'a',
  KeyExists: 'sm',
  Atof: 's',
  B64Decode: 's',
  FloatApproxEqual: 'ff',
  LogInfo: 's*a',
  ParseUnix: 's',
  LookupHost: 's',
  GeoIPEnrich: 's',
  GeoIPASNEnrich: 's',
  GeoIPRangeEnrich: 's',
  IPToCountry: 's',
  GetDecisionsCount: 's',
  GetDecisionsSinceCount: 'ss',
  GetActiveDecisionsCount: 's',
  GetActiveDecisionsTimeLeft: 's',
  CrowdsecCTI: 's',
  HTTPGet: 's',
  HTTPHead: 's',
  HTTPPost: 'sss',
  HTTPRequest: 'ssms',
  LibInjectionIsSQLI: 's',
  LibInjectionIsXSS: 's',
  basename: 's',
};
