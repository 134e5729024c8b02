/**
 * Frames on the wire (see protocol.ts): the reader that cuts a byte stream into frames, and the
 * encoders and decoders of frame headers and request bodies.
 */
import { Packr } from "msgpackr";
import { FRAME_HEADER_BYTES, REQUEST_HEADER_BYTES, type Frame, type Request, type RequestHeader } from "./protocol.js";

/** A violation of the protocol by the peer; the connection it came on is closed. */
export class ProtocolError extends Error {
  override get name(): string {
    return "ProtocolError";
  }
}

const metadataCodec = new Packr({ useRecords: false, mapsAsObjects: true });

/**
 * Cuts a stream of chunks into frames. A frame that lies within one chunk is returned as a view
 * of it (no copy); only frames that span chunks are copied, once.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Adds a chunk and returns the frames it completes; throws ProtocolError on a bad length. */
  push(chunk: Buffer): Frame[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.#buffered < 4) break;
      const length = this.#peekLength();
      if (length < FRAME_HEADER_BYTES - 4 || length > this.#maxFrameBytes) {
        throw new ProtocolError(`frame length ${length} is outside 5..${this.#maxFrameBytes}`);
      }
      if (this.#buffered < 4 + length) break;
      const bytes = this.#take(4 + length);
      frames.push({ type: bytes[4] as number, id: bytes.readUInt32BE(5), body: bytes.subarray(FRAME_HEADER_BYTES) });
    }
    return frames;
  }

  #peekLength(): number {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= 4) return first.readUInt32BE(0);
    return Buffer.concat(this.#chunks, 4).readUInt32BE(0);
  }

  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0] as Buffer;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** Writes a frame header for a body of `bodyBytes` bytes into `target` at `offset`. */
export function writeFrameHeader(target: Buffer, offset: number, type: number, id: number, bodyBytes: number): void {
  target.writeUInt32BE(FRAME_HEADER_BYTES - 4 + bodyBytes, offset);
  target[offset + 4] = type;
  target.writeUInt32BE(id, offset + 5);
}

/** Encodes the part of a request body before its payload. */
export function encodeRequestHead(header: RequestHeader): Buffer {
  const trace = header.traceparent === undefined ? undefined : Buffer.from(header.traceparent, "latin1");
  const metadata =
    header.metadata === undefined || Object.keys(header.metadata).length === 0
      ? undefined
      : metadataCodec.pack(header.metadata);
  const size = REQUEST_HEADER_BYTES + (trace ? 1 + trace.length : 0) + (metadata ? 4 + metadata.length : 0);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(header.method >>> 0, 0);
  out.writeUInt32BE(Math.min(Math.max(0, Math.ceil(header.timeoutMs)), 0xffffffff), 4);
  out[8] = (trace ? 1 : 0) | (metadata ? 2 : 0);
  let at = REQUEST_HEADER_BYTES;
  if (trace) {
    if (trace.length > 255) throw new ProtocolError("traceparent longer than 255 bytes");
    out[at++] = trace.length;
    at += trace.copy(out, at);
  }
  if (metadata) {
    out.writeUInt32BE(metadata.length, at);
    metadata.copy(out, at + 4);
  }
  return out;
}

/** Decodes a request body; throws ProtocolError when it is malformed. */
export function decodeRequest(body: Buffer): Request {
  if (body.length < REQUEST_HEADER_BYTES) throw new ProtocolError(`request body of ${body.length} bytes is too short`);
  const method = body.readUInt32BE(0);
  const timeoutMs = body.readUInt32BE(4);
  const flags = body[8] as number;
  if (flags > 3) throw new ProtocolError(`unknown request flags ${flags}`);
  let at = REQUEST_HEADER_BYTES;
  let traceparent: string | undefined;
  let metadata: Record<string, string> | undefined;
  if (flags & 1) {
    const n = body[at] ?? 0;
    if (at + 1 + n > body.length) throw new ProtocolError("traceparent runs past the request");
    traceparent = body.toString("latin1", at + 1, at + 1 + n);
    at += 1 + n;
  }
  if (flags & 2) {
    if (at + 4 > body.length) throw new ProtocolError("metadata length runs past the request");
    const n = body.readUInt32BE(at);
    if (at + 4 + n > body.length) throw new ProtocolError("metadata runs past the request");
    metadata = decodeMetadata(body.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return { method, timeoutMs, traceparent, metadata, payload: body.subarray(at) };
}

function decodeMetadata(bytes: Buffer): Record<string, string> {
  let value: unknown;
  try {
    value = metadataCodec.unpack(bytes);
  } catch (e) {
    throw new ProtocolError(`metadata is not msgpack: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError("metadata is not a map");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new ProtocolError(`metadata value of ${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/** Encodes a HELLO or WELCOME body. */
export function encodeHello(hello: object): Buffer {
  return metadataCodec.pack(hello);
}

/** Decodes a HELLO or WELCOME body; throws ProtocolError when it is malformed. */
export function decodeHello(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = metadataCodec.unpack(body);
  } catch (e) {
    throw new ProtocolError(`handshake is not msgpack: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError("handshake is not a map");
  return value as Record<string, unknown>;
}
