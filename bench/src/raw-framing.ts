/**
 * The raw echo's framing: every message is `length u32 | msgpack([id, payload])`, big-endian. It
 * is as careful as our RPC's framing (packages/rpc: frame-writer.ts, frames.ts) and no more:
 * frames sent during one tick go out in one write, small ones copied together and large ones
 * handed to the socket as they are; a frame within one received chunk is read as a view of it.
 */
import type { Socket } from "node:net";
import { Packr } from "msgpackr";

/**
 * The codec of both ends: msgpackr with the options our components' codecs use, and, as ours get
 * from `weaver generate`, the record shape of the object the deployed section sends (bench/echo's
 * Row) shared in advance, so that neither side sends its definition with every message.
 */
export function rawCodec(): Packr {
  return new Packr({
    useRecords: true,
    moreTypes: true,
    mapsAsObjects: false,
    useBigIntExtension: true,
    structures: [["id", "name", "email", "age", "active", "score"]],
    maxSharedStructures: 1,
  });
}

/** Bodies at least this large are written without copying (as in our FrameWriter). */
const COPY_LIMIT = 4096;

/** Queues frames for one socket and writes them together at the end of the tick. */
export class RawWriter {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  send(body: Uint8Array): void {
    const n = body.length;
    if (n < COPY_LIMIT) {
      const frame = Buffer.allocUnsafe(4 + n);
      frame.writeUInt32BE(n, 0);
      frame.set(body, 4);
      this.#chunks.push(frame);
    } else {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(n, 0);
      this.#chunks.push(header, Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, n));
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
  }

  flush(): void {
    this.#scheduled = false;
    const chunks = this.#chunks;
    this.#chunks = [];
    if (chunks.length === 0 || this.#socket.destroyed) return;
    if (chunks.length === 1) {
      this.#socket.write(chunks[0] as Buffer);
      return;
    }
    this.#socket.cork();
    let run: Buffer[] = [];
    for (const chunk of chunks) {
      if (chunk.length >= COPY_LIMIT) {
        if (run.length > 0) this.#socket.write(run.length === 1 ? (run[0] as Buffer) : Buffer.concat(run));
        run = [];
        this.#socket.write(chunk);
      } else run.push(chunk);
    }
    if (run.length > 0) this.#socket.write(run.length === 1 ? (run[0] as Buffer) : Buffer.concat(run));
    this.#socket.uncork();
  }
}

/** Cuts a stream of chunks into frame bodies and hands each to `onFrame`. */
export class RawReader {
  readonly #onFrame: (body: Buffer) => void;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(onFrame: (body: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      const first = this.#chunks[0] as Buffer;
      const length = first.length >= 4 ? first.readUInt32BE(0) : Buffer.concat(this.#chunks, 4).readUInt32BE(0);
      if (this.#buffered < 4 + length) break;
      this.#onFrame(this.#take(4 + length).subarray(4));
    }
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
