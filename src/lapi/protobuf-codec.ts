// Content negotiation for the bouncer routes: `Accept: application/x-protobuf` selects the protobuf body of
// src/api/protobuf-encode.ts; everything else gets JSON. The encoder is loaded once at startup; if it cannot
// load (its .proto missing or unreadable) the routes keep answering JSON.

import type { IncomingMessage } from 'node:http';
import type { DecisionRecord, StreamResult } from '../store/records.js';
import { errorMessage } from '../core/errors.js';
import { rawHeader } from './context.js';

export interface ProtobufCodec {
  contentType: string;
  encodeStream(r: StreamResult, now: number): Buffer;
  /** the same body, encoded `per` decisions at a time (the generator pauses between slices) */
  encodeStreamSteps(r: StreamResult, now: number, per: number): Generator<void, Buffer>;
  encodeDecisions(list: DecisionRecord[], now: number): Buffer;
  encodeDecisionsSteps(list: DecisionRecord[], now: number, per: number): Generator<void, Buffer>;
}

const PROTOBUF = 'application/x-protobuf';

export function wantsProtobuf(req: IncomingMessage): boolean {
  const a = rawHeader(req, 'accept');
  return a !== undefined && a.includes(PROTOBUF);
}

export async function loadProtobufCodec(log: (line: string) => void): Promise<ProtobufCodec | null> {
  try {
    const [m, schema] = await Promise.all([import('../api/protobuf-encode.js'), import('../api/protobuf-schema.js')]);
    return {
      contentType: schema.PROTOBUF_CONTENT_TYPE,
      encodeStream: m.encodeStream,
      encodeStreamSteps: m.encodeStreamSteps,
      encodeDecisions: m.encodeDecisions,
      encodeDecisionsSteps: m.encodeDecisionsSteps,
    };
  } catch (e) {
    log(`protobuf responses disabled: ${errorMessage(e)}`);
    return null;
  }
}
