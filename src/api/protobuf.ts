// The bouncer protobuf codec (picket.v1, src/api/proto/decisions.proto) in one import: the encoder the Local API
// answers with and the decoder the bouncer client reads with. The client imports ./protobuf-decode.ts alone.

export {
  PROTOBUF_CONTENT_TYPE,
  ProtobufDecodeError,
  type WireDecision,
  type WireAddress,
  type EncodableDecision,
} from './protobuf-schema.js';
export { encodeStream, encodeDecisions, type EncodableStream } from './protobuf-encode.js';
export { decodeStream, decodeDecisions } from './protobuf-decode.js';
