/**
 * Frames on the wire (see protocol.ts): the reader that cuts a byte stream into frames, and the
 * encoders and decoders of frame headers and request bodies.
 */
import { C1, Packr } from "msgpackr";
import { ByteRange, FRAME_HEADER_BYTES, Frame, REQUEST_HEADER_BYTES, type Request, type RequestHeader } from "./protocol.js";

/** A violation of the protocol by the peer; the connection it came on is closed. */
export class ProtocolError extends Error {
  override get name(): string {
    return "ProtocolError";
  }
}

const metadataCodec = new Packr({ useRecords: false, mapsAsObjects: true });

/**
 * Cuts a stream of chunks into frames. A frame that lies within one chunk is returned as offsets
 * into it (no copy, no view); only frames that span chunks are copied, once. The work per chunk
 * does not grow with the number of chunks buffered, so a peer that trickles a large frame in tiny
 * pieces costs linear time, not quadratic.
 */
export class FrameReader {
  /** The largest frame accepted; may change between pushes (a server raises it after the handshake). */
  maxFrameBytes: number;
  #chunks: Buffer[] = [];
  /** Where the unread bytes of the first chunk begin. */
  #offset = 0;
  /** Unread bytes in all the chunks. */
  #buffered = 0;
  /** The length field of the frame being read, once its 4 bytes have arrived; -1 before. */
  #length = -1;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Adds a chunk and returns the frames it completes; throws ProtocolError on a bad length. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    // An empty chunk left at the head of the queue would force the next frame to be copied.
    if (chunk.length === 0) return frames;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#length < 0) {
        if (this.#buffered < 4) break;
        const length = this.#peekLength();
        if (length < FRAME_HEADER_BYTES - 4 || length > this.maxFrameBytes) {
          throw new ProtocolError(`frame length ${length} is outside 5..${this.maxFrameBytes}`);
        }
        this.#length = length;
      }
      const n = 4 + this.#length;
      if (this.#buffered < n) break;
      this.#length = -1;
      this.#buffered -= n;
      const first = this.#chunks[0] as Buffer;
      const at = this.#offset;
      if (first.length - at >= n) {
        frames.push(new Frame(first[at + 4] as number, first.readUInt32BE(at + 5), first, at + FRAME_HEADER_BYTES, at + n));
        if (first.length - at === n) {
          this.#chunks.shift();
          this.#offset = 0;
        } else this.#offset = at + n;
      } else {
        const bytes = this.#copy(n);
        frames.push(new Frame(bytes[4] as number, bytes.readUInt32BE(5), bytes, FRAME_HEADER_BYTES, n));
      }
    }
    return frames;
  }

  #peekLength(): number {
    const first = this.#chunks[0] as Buffer;
    if (first.length - this.#offset >= 4) return first.readUInt32BE(this.#offset);
    const bytes = Buffer.allocUnsafe(4);
    let filled = 0;
    for (let i = 0; filled < 4; i++) {
      const from = i === 0 ? this.#offset : 0;
      filled += (this.#chunks[i] as Buffer).copy(bytes, filled, from, from + 4 - filled);
    }
    return bytes.readUInt32BE(0);
  }

  /** Copies the next `n` bytes, which span chunks, into a buffer of their own. */
  #copy(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0; // chunks used up
    let from = this.#offset;
    while (filled < n) {
      const chunk = this.#chunks[used] as Buffer;
      const take = Math.min(chunk.length - from, n - filled);
      chunk.copy(out, filled, from, from + take);
      filled += take;
      if (from + take === chunk.length) {
        used++;
        from = 0;
      } else from += take;
    }
    this.#chunks.splice(0, used);
    this.#offset = from;
    return out;
  }
}

/** Writes a frame header for a body of `bodyBytes` bytes into `target` at `offset`. */
export function writeFrameHeader(target: Buffer, offset: number, type: number, id: number, bodyBytes: number): void {
  target.writeUInt32BE(FRAME_HEADER_BYTES - 4 + bodyBytes, offset);
  target[offset + 4] = type;
  target.writeUInt32BE(id, offset + 5);
}

/**
 * Encodes the part of a request body before its payload. Throws TypeError, before anything is
 * sent, for options the receiver would take as a protocol violation: a traceparent that is not
 * ASCII of at most 255 bytes, or metadata whose values are not strings.
 */
export function encodeRequestHead(header: RequestHeader): Buffer {
  const { traceparent, metadata: meta } = header;
  if (traceparent !== undefined && (traceparent.length > 255 || !/^[\x20-\x7e]*$/.test(traceparent))) {
    throw new TypeError("traceparent must be printable ASCII of at most 255 characters");
  }
  let metadata: Buffer | undefined;
  if (meta !== undefined) {
    let keys = 0;
    for (const key in meta) {
      keys++;
      if (typeof meta[key] !== "string") throw new TypeError(`metadata value of ${key} is not a string`);
    }
    if (keys > 0) metadata = metadataCodec.pack(meta);
  }
  const size = REQUEST_HEADER_BYTES + (traceparent !== undefined ? 1 + traceparent.length : 0) + (metadata ? 4 + metadata.length : 0);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(header.method >>> 0, 0);
  setRequestTimeout(out, header.timeoutMs);
  out[8] = (traceparent !== undefined ? 1 : 0) | (metadata ? 2 : 0);
  let at = REQUEST_HEADER_BYTES;
  if (traceparent !== undefined) {
    out[at++] = traceparent.length;
    at += out.write(traceparent, at, "latin1");
  }
  if (metadata) {
    out.writeUInt32BE(metadata.length, at);
    metadata.copy(out, at + 4);
  }
  return out;
}

/**
 * Sets the timeout of an encoded request head (see encodeRequestHead): `ms` rounded up, at most
 * 2^32-1; 0 means no deadline, so a positive time left never rounds down to it.
 */
export function setRequestTimeout(head: Buffer, ms: number): void {
  const value = Number.isNaN(ms) ? 0 : Math.min(Math.max(0, Math.ceil(ms)), 0xffffffff);
  head.writeUInt32BE(value, 4);
}

/** Decodes a request body; throws ProtocolError when it is malformed. */
export function decodeRequest(body: ByteRange): Request {
  const { source, start, end } = body;
  if (end - start < REQUEST_HEADER_BYTES) throw new ProtocolError(`request body of ${end - start} bytes is too short`);
  const method = source.readUInt32BE(start);
  const timeoutMs = source.readUInt32BE(start + 4);
  const flags = source[start + 8] as number;
  if (flags > 3) throw new ProtocolError(`unknown request flags ${flags}`);
  let at = start + REQUEST_HEADER_BYTES;
  let traceparent: string | undefined;
  let metadata: Record<string, string> | undefined;
  if (flags & 1) {
    const n = at < end ? (source[at] as number) : 0;
    if (at + 1 + n > end) throw new ProtocolError("traceparent runs past the request");
    traceparent = source.toString("latin1", at + 1, at + 1 + n);
    at += 1 + n;
  }
  if (flags & 2) {
    if (at + 4 > end) throw new ProtocolError("metadata length runs past the request");
    const n = source.readUInt32BE(at);
    if (at + 4 + n > end) throw new ProtocolError("metadata runs past the request");
    metadata = decodeMetadata(source.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return { method, timeoutMs, traceparent, metadata, payload: new ByteRange(source, at, end) };
}

function decodeMetadata(bytes: Buffer): Record<string, string> {
  const value = unpackMap(bytes, "metadata");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new ProtocolError(`metadata value of ${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/**
 * Unpacks a msgpack map into a plain object; throws ProtocolError for anything else, including
 * the marker msgpackr returns (instead of throwing) for the never-used byte 0xc1.
 */
function unpackMap(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = metadataCodec.unpack(bytes);
  } catch (e) {
    throw new ProtocolError(`${what} is not msgpack: ${(e as Error).message}`);
  }
  const proto = typeof value === "object" && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (value === C1 || (proto !== Object.prototype && proto !== null)) throw new ProtocolError(`${what} is not a map`);
  return value as Record<string, unknown>;
}

/**
 * The maxFrameBytes a peer announced in its HELLO or WELCOME, bounded by `own` (the limit this
 * side would use anyway); `own` when the peer announced none or nonsense.
 */
export function peerMaxFrameBytes(hello: Readonly<Record<string, unknown>>, own: number): number {
  const theirs = hello["maxFrameBytes"];
  if (typeof theirs !== "number" || !Number.isInteger(theirs) || theirs < MIN_FRAME_BYTES) return own;
  return Math.min(theirs, own);
}

/** The smallest maxFrameBytes a peer may announce; smaller announcements are ignored. */
export const MIN_FRAME_BYTES = 1024;

/** Encodes a HELLO or WELCOME body. */
export function encodeHello(hello: object): Buffer {
  return metadataCodec.pack(hello);
}

/** Decodes a HELLO or WELCOME body; throws ProtocolError when it is malformed. */
export function decodeHello(body: Buffer): Record<string, unknown> {
  return unpackMap(body, "handshake");
}
