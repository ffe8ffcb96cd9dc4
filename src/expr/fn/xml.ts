// CrowdSec XML helpers (XMLGetNodeValue, XMLGetAttributeValue) over expr/xml.ts, with the last parsed document kept.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { hookLog } from '../hooks.js';
import { STRING } from '../schema.js';
import { parseXml, findElements } from '../xml.js';
import { hasOwn, s, type FnDef } from './args.js';
import { errorMessage } from '../../core/errors.js';

// Parsers call XMLGetNodeValue many times on the same line: keep the last parsed document.
let lastXml: string | null = null;

let lastDoc: ReturnType<typeof parseXml> | Error | null = null;

export function xmlDoc(xml: string): ReturnType<typeof parseXml> {
  if (xml !== lastXml) {
    lastXml = xml;
    try {
      lastDoc = parseXml(xml);
    } catch (e) {
      lastDoc = e as Error;
    }
  }
  if (lastDoc instanceof Error) throw lastDoc;
  return lastDoc!;
}

export function xmlValue(xml: string, path: string): string {
  try {
    const els = findElements(xmlDoc(xml), path);
    return els.length ? els[0]!.text : '';
  } catch (e) {
    hookLog('error', `XMLGetNodeValue: ${errorMessage(e)}`);
    return '';
  }
}

export function xmlAttr(xml: string, path: string, attr: string): string {
  try {
    const els = findElements(xmlDoc(xml), path);
    if (!els.length) return '';
    const at = els[0]!.attrs;
    return hasOwn.call(at, attr) ? at[attr]! : '';
  } catch (e) {
    hookLog('error', `XMLGetAttributeValue: ${errorMessage(e)}`);
    return '';
  }
}

export const XML_FUNCTIONS: Record<string, FnDef> = {
  XMLGetNodeValue: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (x: unknown, p: unknown) => xmlValue(s(x, 'XMLGetNodeValue'), s(p, 'XMLGetNodeValue', 1)),
  },
  XMLGetAttributeValue: {
    min: 3,
    max: 3,
    ret: STRING,
    fn: (x: unknown, p: unknown, at: unknown) =>
      xmlAttr(s(x, 'XMLGetAttributeValue'), s(p, 'XMLGetAttributeValue', 1), s(at, 'XMLGetAttributeValue', 2)),
  },
};
