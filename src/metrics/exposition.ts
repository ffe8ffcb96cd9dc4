// A small parser of the Prometheus text exposition format (version 0.0.4), enough to read a Picket or
// CrowdSec `/metrics` page: sample lines `name{label="value",...} number [timestamp]`; comments skipped.
// Owns: sample parsing with label-value unescaping (\\, \", \n); a malformed line is an error naming its number.

import { PicketError } from '../core/errors.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class ExpositionError extends PicketError {
  constructor(message: string) {
    super('METRICS_BAD_EXPOSITION', message);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseLabels(s: string, at: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = at + 1;
  const bad = (why: string) => new ExpositionError(`line ${lineNo}: ${why}`);
  for (;;) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (s[i] === '}') return [labels, i + 1];
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    if (!m) throw bad('label name expected');
    i += m[0].length;
    if (s[i] !== '=' || s[i + 1] !== '"') throw bad(`label ${m[0]}: ="value" expected`);
    i += 2;
    let v = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw bad(`label ${m[0]}: unterminated value`);
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\') {
        const n = s[i + 1];
        v += n === 'n' ? '\n' : (n ?? '');
        i += 2;
      } else {
        v += c;
        i++;
      }
    }
    labels[m[0]] = v;
  }
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN' || s === 'Nan') return NaN;
  return Number(s);
}

/** Every sample of the page, in order. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = NAME.exec(line);
    if (!m) throw new ExpositionError(`line ${n + 1}: metric name expected`);
    let i = m[0].length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, n + 1);
    const rest = line.slice(i).trim().split(/\s+/);
    const value = parseValue(rest[0] ?? '');
    if (rest[0] === undefined || rest[0] === '' || (Number.isNaN(value) && !/^nan$/i.test(rest[0]))) {
      throw new ExpositionError(`line ${n + 1}: value expected after ${m[0]}`);
    }
    out.push({ name: m[0], labels, value });
  }
  return out;
}
