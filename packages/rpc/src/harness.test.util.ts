/**
 * Helpers for the tests of this package (not published: `*.test.*` files are left out of the
 * package). Servers and clients run in the test process over Unix sockets in a private folder;
 * RawPeer speaks the protocol by hand, to send what a well-behaved client never would.
 */
import { rmSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { RpcClient } from "./client.js";
import type { ClientOptions } from "./client-options.js";
import { FrameReader, encodeHello, encodeRequestHead, writeFrameHeader } from "./frames.js";
import { FrameType, MAX_FRAME_BYTES, PROTOCOL_VERSION, type Frame, type RequestHeader } from "./protocol.js";
import { RpcServer, type Handler, type ServerOptions } from "./server.js";
import { privateSocketDir } from "./transport.js";

/** The deployment and version every helper uses unless told otherwise. */
export const DEPLOYMENT = "dep-test";
export const VERSION = "v-test";

/** Things to close when a test ends; see Cleanup.run. */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  /** Registers a step; steps run in reverse order. */
  add(step: () => unknown): void {
    this.#steps.push(step);
  }

  /** Runs every step registered so far, newest first, ignoring their failures. */
  async run(): Promise<void> {
    while (this.#steps.length > 0) {
      try {
        await this.#steps.pop()!();
      } catch {
        // Best effort: a test's own assertion failure matters more.
      }
    }
  }
}

/** A private socket folder, removed by `cleanup`. */
export function socketDir(cleanup: Cleanup): string {
  const dir = privateSocketDir("wrpc-");
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;

/** Starts a server on a fresh socket in `dir`; closed by `cleanup`. */
export async function startServer(
  cleanup: Cleanup,
  dir: string,
  handler: Handler,
  options: Partial<ServerOptions> = {},
): Promise<{ server: RpcServer; path: string }> {
  const path = options.id !== undefined ? join(dir, `${options.id}.sock`) : join(dir, `s${counter++}.sock`);
  const server = new RpcServer({ deployment: DEPLOYMENT, version: VERSION, id: "server", handler, ...options });
  await server.listen({ path });
  cleanup.add(() => server.close());
  return { server, path };
}

/** A client of this package's test deployment; closed by `cleanup`. */
export function newClient(cleanup: Cleanup, options: Partial<ClientOptions> = {}): RpcClient {
  const client = new RpcClient({ deployment: DEPLOYMENT, version: VERSION, id: "client", ...options });
  cleanup.add(() => client.close());
  return client;
}

/** A handler that answers each call with its own payload. */
export const echo: Handler = async (payload) => Buffer.from(payload.bytes);

/** A frame as a test keeps it: its body copied out of the chunk it arrived in. */
export interface ReceivedFrame {
  readonly type: number;
  readonly id: number;
  readonly body: Buffer;
}

/** A frame read by a FrameReader, copied for keeping. */
export function received(f: Frame): ReceivedFrame {
  return { type: f.type, id: f.id, body: Buffer.from(f.bytes) };
}

/** A promise with its resolve function, to hold handlers until a test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Encodes one frame. */
export function frame(type: number, id: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(9 + body.length);
  writeFrameHeader(out, 0, type, id, body.length);
  out.set(body, 9);
  return out;
}

/** Encodes a REQUEST frame. */
export function requestFrame(id: number, header: Partial<RequestHeader>, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const head = encodeRequestHead({ method: 0, timeoutMs: 0, traceparent: undefined, metadata: undefined, ...header });
  return frame(FrameType.REQUEST, id, Buffer.concat([head, payload]));
}

/** The body of a HELLO from this package's test deployment, with `overrides`. */
export function helloBody(overrides: Record<string, unknown> = {}): Buffer {
  return encodeHello({ protocol: PROTOCOL_VERSION, deployment: DEPLOYMENT, version: VERSION, peer: "raw", ...overrides });
}

/** A connection that speaks the protocol by hand: every frame it receives is kept in order. */
export class RawPeer {
  readonly socket: net.Socket;
  readonly frames: ReceivedFrame[] = [];
  readonly closed: Promise<void>;
  readonly #reader = new FrameReader(MAX_FRAME_BYTES);
  #waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const f of this.#reader.push(chunk)) this.frames.push(received(f));
      this.#notify();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    void this.closed.then(() => this.#notify());
  }

  /** Connects to a Unix socket; closed by `cleanup`. */
  static async connect(cleanup: Cleanup, path: string): Promise<RawPeer> {
    const socket = net.connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const peer = new RawPeer(socket);
    cleanup.add(() => socket.destroy());
    return peer;
  }

  /** Connects and completes the handshake; fails unless the server says WELCOME. */
  static async ready(cleanup: Cleanup, path: string): Promise<RawPeer> {
    const peer = await RawPeer.connect(cleanup, path);
    peer.send(frame(FrameType.HELLO, 0, helloBody()));
    const welcome = await peer.next();
    if (welcome.type !== FrameType.WELCOME) throw new Error(`expected WELCOME, got ${welcome.type}`);
    return peer;
  }

  /** Whether the connection has closed. */
  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === "closed";
  }

  /** Writes raw bytes. */
  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Takes the next frame received, waiting for it; fails if the connection closes first. */
  async next(timeoutMs = 5_000): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      if (this.isClosed) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no frame in time");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the answer to request `id` (frames for other ids stay queued). */
  async answer(id: number, timeoutMs = 5_000): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.frames.findIndex((f) => f.id === id && f.type !== FrameType.GOAWAY);
      if (at >= 0) return this.frames.splice(at, 1)[0]!;
      if (this.isClosed) throw new Error(`connection closed before the answer to ${id}`);
      if (Date.now() > deadline) throw new Error(`no answer to ${id} in time`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
