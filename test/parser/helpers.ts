// Test helpers for the parser engine: build a ParserTree from inline YAML files and run lines through it.

import { Event, newStrMap, TIMEMACHINE } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';
import { PatternLibrary } from '../../src/grok/index.js';
import { loadParserTree, type ParserFileSpec } from '../../src/parser/load.js';
import { ParserTree, type EventSnapshot } from '../../src/parser/runtime.js';
import { makeEnrichContext } from '../../src/parser/enrich/context.js';

export type Files = Record<string, Record<string, string>>; // stage -> file name -> yaml

export function buildTree(
  files: Files,
  opts: { patterns?: string; dataDir?: string; grokSetMinChildren?: number } = {},
): ParserTree {
  const specs: ParserFileSpec[] = [];
  for (const [stage, fs] of Object.entries(files)) {
    for (const [name, text] of Object.entries(fs)) specs.push({ path: `/virtual/${stage}/${name}`, stage, text });
  }
  const lib = PatternLibrary.withBuiltins();
  if (opts.patterns) lib.loadText(opts.patterns, 'test-patterns');
  const dataDir = opts.dataDir ?? '/nonexistent';
  return loadParserTree(specs, {
    patterns: lib,
    dataDir,
    enrich: makeEnrichContext({ dataDir, year: 2026, timeMachine: true }),
    grokSetMinChildren: opts.grokSetMinChildren,
  });
}

export function mkEvent(raw: string, type = 'syslog', labels: Record<string, string> = {}): Event {
  const e = new Event({
    Raw: raw,
    Src: '/var/log/test.log',
    Module: 'file',
    Labels: newStrMap({ ...labels, type }),
    Time: GoTime.now(),
  });
  e.ExpectMode = TIMEMACHINE;
  return e;
}

export interface Rec {
  stage: string;
  node: string;
  success: boolean;
  snap: EventSnapshot;
}

/** Run lines, recording every top-level node evaluation. */
export function runLines(tree: ParserTree, lines: string[], type = 'syslog', labels: Record<string, string> = {}) {
  const recs: Rec[] = [];
  tree.recorder = (stage, node, snap, success) => {
    recs.push({ stage, node, success, snap });
  };
  const events: Event[] = [];
  const results: number[] = [];
  for (const l of lines) {
    const e = mkEvent(l, type, labels);
    results.push(tree.parse(e));
    events.push(e);
  }
  tree.recorder = null;
  return { recs, events, results };
}
