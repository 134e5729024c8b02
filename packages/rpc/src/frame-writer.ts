/**
 * Coalesced frame writes. Frames sent during one turn of the event loop go to the socket in one
 * vectored write at the end of the turn (many small frames cost one system call). Small frames
 * are copied together into one buffer; a payload of COPY_LIMIT bytes or more is handed to the
 * socket as it is, never copied.
 */
import type { Socket } from "node:net";
import { FRAME_HEADER_BYTES } from "./protocol.js";
import { writeFrameHeader } from "./frames.js";

/** Bodies at least this large are written without copying. */
export const COPY_LIMIT = 4096;

/** Queues frames for one socket and flushes them together. */
export class FrameWriter {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
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
  send(type: number, id: number, parts: readonly Uint8Array[] = []): void {
    let bodyBytes = 0;
    for (const p of parts) bodyBytes += p.length;
    this.#queuedBytes += FRAME_HEADER_BYTES + bodyBytes;
    if (bodyBytes < COPY_LIMIT) {
      const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
      writeFrameHeader(frame, 0, type, id, bodyBytes);
      let at = FRAME_HEADER_BYTES;
      for (const p of parts) {
        frame.set(p, at);
        at += p.length;
      }
      this.#chunks.push(frame);
    } else {
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, type, id, bodyBytes);
      this.#chunks.push(header);
      for (const p of parts) this.#chunks.push(Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.length));
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Writes every queued frame now. */
  flush(): void {
    this.#scheduled = false;
    this.#queuedBytes = 0;
    const chunks = this.#chunks;
    if (chunks.length === 0 || this.#socket.destroyed) {
      this.#chunks = [];
      return;
    }
    this.#chunks = [];
    if (chunks.length === 1) {
      this.#socket.write(chunks[0] as Buffer);
      return;
    }
    this.#socket.cork();
    let run: Buffer[] = [];
    const writeRun = (): void => {
      if (run.length === 1) this.#socket.write(run[0] as Buffer);
      else if (run.length > 1) this.#socket.write(Buffer.concat(run));
      run = [];
    };
    for (const chunk of chunks) {
      if (chunk.length >= COPY_LIMIT) {
        writeRun();
        this.#socket.write(chunk);
      } else run.push(chunk);
    }
    writeRun();
    this.#socket.uncork();
  }
}
