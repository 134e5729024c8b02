/**
 * @weaver/rpc: calls between processes. Framed, multiplexed calls over Unix sockets, TCP or TLS
 * (see protocol.ts for the wire format), a server that runs calls concurrently with bounded
 * memory, and a client that balances each call across a changing replica set (or routes it by
 * its key, see key-assignment.ts) with retries, deadlines and cancellation. It moves bytes;
 * @weaver/runtime encodes values and maps errors.
 *
 * @module
 */
export { RpcClient } from "./client.js";
export type { ClientOptions, CallOptions, ReplicaAddress, ReplyHandler } from "./client-options.js";
export { KeyAssignment, SLOTS, canonicalKey, hashKey, hashText, type RoutingKey } from "./key-assignment.js";
export { RpcServer, type ServerOptions, type ServerStats, type Handler, type CallInfo } from "./server.js";
export { RpcError, RpcAppError, RpcSystemError, type RpcErrorKind } from "./errors.js";
export { roundRobin, leastOutstanding, powerOfTwo, balancerNamed, type Balancer, type BalancerName, type Candidate } from "./balancer.js";
export {
  connect,
  createServer,
  formatEndpoint,
  parseEndpoint,
  privateSocketDir,
  removeStaleSocket,
  type Accepted,
  type Address,
  type ClientTls,
  type ServerTls,
  type TransportOptions,
  type TransportServer,
} from "./transport.js";
export {
  FrameType,
  SystemCode,
  PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  systemErrorIsRetriable,
  ByteRange,
  Frame,
  type Hello,
  type Request,
  type RequestHeader,
} from "./protocol.js";
export {
  FrameReader,
  ProtocolError,
  encodeRequestHead,
  setRequestTimeout,
  decodeRequest,
  encodeHello,
  decodeHello,
  writeFrameHeader,
} from "./frames.js";
export { FrameWriter, COPY_LIMIT, type BodyPart } from "./frame-writer.js";
