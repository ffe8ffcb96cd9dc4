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
  encodeDecisions(list: DecisionRecord[], now: number): Buffer;
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
      encodeDecisions: m.encodeDecisions,
    };
  } catch (e) {
    log(`protobuf responses disabled: ${errorMessage(e)}`);
    return null;
  }
}
