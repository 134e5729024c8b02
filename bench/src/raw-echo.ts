/**
 * The raw echo client: the baseline of our RPC. It sends `msgpack([id, payload])` frames over a
 * Unix socket (see raw-framing.ts) and matches answers to calls by id, so calls pipeline.
 */
import net from "node:net";
import { RawReader, RawWriter, rawCodec } from "./raw-framing.js";

/** A connection to the raw echo server. */
export class RawEchoClient {
  readonly #socket: net.Socket;
  readonly #writer: RawWriter;
  readonly #codec = rawCodec();
  readonly #pending = new Map<number, { resolve: (payload: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#writer = new RawWriter(socket);
    const reader = new RawReader((body) => {
      const [id, payload] = this.#codec.unpack(body) as [number, unknown];
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      pending.resolve(payload);
    });
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.once("close", () => {
      for (const p of this.#pending.values()) p.reject(new Error("the raw echo connection closed"));
      this.#pending.clear();
    });
  }

  /** Connects to the server at `path`. */
  static connect(path: string): Promise<RawEchoClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path);
      socket.setNoDelay(true);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        socket.on("error", () => socket.destroy());
        resolve(new RawEchoClient(socket));
      });
    });
  }

  /** Sends `payload` and resolves with what comes back. */
  call(payload: unknown): Promise<unknown> {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1;
    this.#writer.send(this.#codec.pack([id, payload]));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  close(): void {
    this.#socket.destroy();
  }
}
