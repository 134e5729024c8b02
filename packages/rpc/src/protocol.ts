/**
 * The Weaver RPC wire protocol.
 *
 * # Overview
 *
 * A connection carries frames in both directions. Every frame is
 *
 *     length u32 | type u8 | id u32 | body
 *
 * big-endian, where `length` counts the bytes after itself (5 + body) and may not exceed the
 * receiver's maximum frame size (MAX_FRAME_BYTES by default); a larger length closes the
 * connection. `id` names a call: the client numbers its requests, and every frame about a call
 * (its response, error or cancellation) carries the request's id. Many calls are in flight on one
 * connection at once, and their frames interleave freely.
 *
 * # Handshake
 *
 * The client's first frame is HELLO (id 0), a msgpack map {protocol, deployment, version, peer,
 * maxFrameBytes}: the protocol version, the deployment id, the app's version hash, the client's
 * replica id and the largest frame it accepts. The server answers WELCOME with its own map if
 * the first three match, or REFUSED with a reason (UTF-8) and closes the connection: calls never
 * cross deployments or app versions. A refusal names only what the client sent (never the
 * server's deployment or version, which would tell a stranger what to send). No request may
 * precede WELCOME, and a client that has not completed the handshake within the server's
 * handshake timeout is disconnected. Until WELCOME a frame may not exceed HELLO_MAX_BYTES (4 KiB),
 * and a server keeps a bounded number of connections waiting for their handshake (the oldest goes
 * first), so a peer that has not passed the handshake can make it hold little memory. Neither side
 * sends a frame larger than the other's maxFrameBytes: the client rejects such a request before
 * sending it, the server answers such a result with SYSTEM_ERROR INTERNAL.
 *
 * # TLS
 *
 * A server may require TLS, and then client certificates (mutual TLS, see tls-accept.ts). Frames
 * then travel inside TLS unchanged. A client that connects without TLS, or whose certificate the
 * server refuses (another CA, expired, an identity the server does not serve), is sent REFUSED
 * (id 0) with the reason before its HELLO is read, and the connection closes.
 *
 * # Calls
 *
 * REQUEST (client → server) body:
 *
 *     method u32 | timeout u32 | flags u8 | [traceparent] | [metadata] | payload
 *
 * `method` is an id both ends derive from the shared manifest; `timeout` is the time left until
 * the call's deadline, in milliseconds (0: none), relative so that clocks need not agree.
 * flags bit 0: a W3C traceparent follows as u8 length + ASCII; bit 1: metadata follows as
 * u32 length + a msgpack map of strings. The payload (the encoded arguments) is the rest.
 *
 * The server answers each request exactly once, with one of
 * - RESPONSE: body = the encoded result;
 * - APP_ERROR: body = the encoded error the method threw;
 * - SYSTEM_ERROR: body = code u8 | UTF-8 message; the call failed in the framework (unknown
 *   method, undecodable request, server shutting down, caller not authorized, ...). SystemCode
 *   says which codes mean the method did not run, so the call may go to another replica.
 *
 * CANCEL (client → server, body empty) asks the server to abort a call's AbortSignal; the server
 * still answers the request (SYSTEM_ERROR CANCELLED when the call had not started yet). A closed
 * connection cancels every call in flight on it.
 *
 * # Flow control
 *
 * A server runs at most a configured number of calls per connection at once. Requests read
 * beyond that wait, in order, and the server stops reading the connection until they can start;
 * it also stops reading while answers the client has not read pile up. A flooding client is thus
 * slowed by the transport's own flow control, and the server's memory per connection is bounded.
 *
 * # Draining
 *
 * GOAWAY (server → client, id 0, body empty) says the server takes no new calls on this
 * connection: the client sends new calls elsewhere, in-flight calls finish normally, and the
 * server closes the connection when they have.
 *
 * A frame that breaks these rules (unknown type, bad body, request before WELCOME, oversized)
 * closes the connection it came on, and only that connection.
 */

/** The version of this protocol; both ends of a connection must speak the same. */
export const PROTOCOL_VERSION = 1;

/** Default maximum frame size in bytes (16 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Bytes of the frame header: length, type and id. */
export const FRAME_HEADER_BYTES = 9;

/** Bytes of the fixed part of a request body: method, timeout and flags. */
export const REQUEST_HEADER_BYTES = 9;

/** Frame types. */
export const FrameType = {
  HELLO: 1,
  WELCOME: 2,
  REFUSED: 3,
  REQUEST: 4,
  RESPONSE: 5,
  APP_ERROR: 6,
  SYSTEM_ERROR: 7,
  CANCEL: 8,
  GOAWAY: 9,
} as const;

/** A frame type. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Codes of SYSTEM_ERROR frames. */
export const SystemCode = {
  /** The server has no such method. */
  UNKNOWN_METHOD: 1,
  /** The request could not be decoded. */
  BAD_REQUEST: 2,
  /** The server is draining and did not run the method. */
  SHUTTING_DOWN: 3,
  /** The framework failed while running the call (the method may have run). */
  INTERNAL: 4,
  /** The caller cancelled the call before it started; the method did not run. */
  CANCELLED: 5,
  /** The caller's identity may not call this method (with mutual TLS: the call graph); the method did not run. */
  UNAUTHORIZED: 6,
} as const;

/** A SYSTEM_ERROR code. */
export type SystemCode = (typeof SystemCode)[keyof typeof SystemCode];

/** Tells whether a system error means the method did not run, so another replica may take the call. */
export function systemErrorIsRetriable(code: number): boolean {
  return code === SystemCode.SHUTTING_DOWN;
}

/** The parties' identities exchanged by HELLO and WELCOME. */
export interface Hello {
  readonly protocol: number;
  readonly deployment: string;
  readonly version: string;
  readonly peer: string;
  /** The largest frame the sender accepts (absent: MAX_FRAME_BYTES). */
  readonly maxFrameBytes?: number;
}

/**
 * Bytes within a larger buffer, usually the socket chunk they arrived in. Frames and payloads are
 * handed on as offsets, not as Buffer views: on Node 20 making a view, and the DataView msgpackr
 * caches on each buffer it decodes, costs more than decoding a small message, while msgpackr
 * decodes from offsets with one DataView per chunk. Valid while the chunk is; `bytes` makes the
 * view when one is needed.
 */
export class ByteRange {
  constructor(
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** How many bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** The bytes as a Buffer view of the source (no copy). */
  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end);
  }
}

/** A decoded frame: its type, id, and body (the bytes after the header, shared with the chunk). */
export class Frame extends ByteRange {
  constructor(
    readonly type: number,
    readonly id: number,
    source: Buffer,
    start: number,
    end: number,
  ) {
    super(source, start, end);
  }
}

/** The call options a REQUEST carries besides its method and payload. */
export interface RequestHeader {
  readonly method: number;
  /** Milliseconds left until the deadline; 0 means no deadline. */
  readonly timeoutMs: number;
  readonly traceparent: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

/** A parsed REQUEST body. */
export interface Request extends RequestHeader {
  readonly payload: ByteRange;
}
