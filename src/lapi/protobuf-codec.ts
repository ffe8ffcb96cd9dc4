// Content negotiation for the bouncer routes: `Accept: application/x-protobuf` selects the protobuf body of
// ./protobuf.ts (owned by the protobuf module); everything else gets JSON. The codec is loaded once at
// startup; if the protobuf module is unavailable the routes keep answering JSON.

import type { IncomingMessage } from 'node:http';
import type { DecisionRecord, StreamResult } from '../store/records.js';
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

interface ProtobufModule {
  PROTOBUF_CONTENT_TYPE: string;
  encodeStream(r: StreamResult, now: number): Uint8Array;
  encodeDecisions(list: DecisionRecord[], now: number): Uint8Array;
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export async function loadProtobufCodec(log: (line: string) => void): Promise<ProtobufCodec | null> {
  try {
    const m = (await import('./protobuf.js' as string)) as ProtobufModule;
    return {
      contentType: m.PROTOBUF_CONTENT_TYPE,
      encodeStream: (r, now) => asBuffer(m.encodeStream(r, now)),
      encodeDecisions: (list, now) => asBuffer(m.encodeDecisions(list, now)),
    };
  } catch (e) {
    log(`protobuf responses disabled: ${(e as Error).message}`);
    return null;
  }
}
