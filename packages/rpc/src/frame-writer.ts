/**
 * Coalesced frame writes. Frames sent during one turn of the event loop go to the socket at the
 * end of the turn, in one write (many small frames cost one system call). Headers and small parts
 * are written straight into an arena, a buffer the writer owns, one after the other, so sending a
 * frame makes no Buffer of its own; a part of COPY_LIMIT bytes or more is handed to the socket as
 * it is, never copied.
 *
 * Invariant: the arena's bytes before `#start` belong to the socket (written or being written)
 * and are never touched again; `#start..#used` are queued for the next flush; the rest is free.
 * A full arena is left to the socket and a new one begun.
 */
import type { Socket } from "node:net";
import { writeFrameHeader } from "./frames.js";
import { ByteRange, FRAME_HEADER_BYTES } from "./protocol.js";

/** Bodies at least this large are written without copying. */
export const COPY_LIMIT = 4096;

/** Size of an arena: small frames of several flushes fit in one. */
const ARENA_BYTES = 16 * 1024;

/** Parts this short are copied byte by byte: cheaper than making the view Buffer.copy would. */
const SHORT_COPY = 64;

/** A part of a frame's body. */
export type BodyPart = Uint8Array | ByteRange;

/** Queues frames for one socket and flushes them together. */
export class FrameWriter {
  readonly #socket: Socket;
  /** What the next flush writes, in order, before the arena's queued bytes. */
  #chunks: Buffer[] = [];
  #arena: Buffer | undefined;
  #start = 0;
  #used = 0;
  #queuedBytes = 0;
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Bytes queued and not yet handed to the socket (they are, at the end of the current tick). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues a frame whose body is the concatenation of `parts`. */
  send(type: number, id: number, parts: readonly BodyPart[] = []): void {
    let bodyBytes = 0;
    let copied = 0; // bytes of the parts that go into the arena
    for (const p of parts) {
      bodyBytes += p.length;
      if (p.length < COPY_LIMIT) copied += p.length;
    }
    this.#queuedBytes += FRAME_HEADER_BYTES + bodyBytes;
    const arena = this.#room(FRAME_HEADER_BYTES + copied);
    writeFrameHeader(arena, this.#used, type, id, bodyBytes);
    let at = this.#used + FRAME_HEADER_BYTES;
    for (const p of parts) {
      if (p.length < COPY_LIMIT) at = copy(arena, at, p);
      else {
        this.#used = at;
        this.#cut();
        this.#chunks.push(view(p));
      }
    }
    this.#used = at;
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Writes every queued frame now. */
  flush(): void {
    this.#scheduled = false;
    this.#queuedBytes = 0;
    this.#cut();
    const chunks = this.#chunks;
    this.#chunks = [];
    if (chunks.length === 0 || this.#socket.destroyed) return;
    if (chunks.length === 1) {
      this.#socket.write(chunks[0] as Buffer);
      return;
    }
    this.#socket.cork();
    for (const chunk of chunks) this.#socket.write(chunk);
    this.#socket.uncork();
  }

  /** The arena, with room for `n` more bytes after `#used`. */
  #room(n: number): Buffer {
    const arena = this.#arena;
    if (arena !== undefined && arena.length - this.#used >= n) return arena;
    this.#cut();
    const fresh = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, n));
    this.#arena = fresh;
    this.#start = 0;
    this.#used = 0;
    return fresh;
  }

  /** Queues the arena's pending bytes as a chunk, so that what is queued next goes after them. */
  #cut(): void {
    if (this.#used === this.#start) return;
    this.#chunks.push((this.#arena as Buffer).subarray(this.#start, this.#used));
    this.#start = this.#used;
  }
}

/** Copies `part` into `target` at `at`; returns where it ends. */
function copy(target: Buffer, at: number, part: BodyPart): number {
  const source = part instanceof ByteRange ? part.source : part;
  const start = part instanceof ByteRange ? part.start : 0;
  const end = start + part.length;
  if (end - start <= SHORT_COPY) {
    for (let i = start; i < end; i++) target[at++] = source[i] as number;
    return at;
  }
  target.set(start === 0 && end === source.length ? source : source.subarray(start, end), at);
  return at + end - start;
}

/** A part as a Buffer, without copying. */
function view(part: BodyPart): Buffer {
  if (part instanceof ByteRange) return part.bytes;
  return Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.length);
}
