/**
 * The RPC server: accepts connections, checks each client's handshake, and runs its requests
 * concurrently through a handler (the runtime's dispatcher to generated server stubs).
 *
 * Invariants: every request that passes the handshake gets exactly one answer while its
 * connection lives; a frame that breaks the protocol closes its connection only and is counted;
 * nothing a peer sends can throw out of this module. Each connection runs at most
 * maxInFlightPerConnection calls; beyond that the server stops reading from it, so a flooding
 * client is slowed by TCP flow control instead of growing memory.
 */
import type { Server, Socket } from "node:net";
import { RpcAppError, RpcSystemError } from "./errors.js";
import { FrameReader, ProtocolError, decodeHello, decodeRequest, encodeHello } from "./frames.js";
import { FrameWriter } from "./frame-writer.js";
import { FrameType, MAX_FRAME_BYTES, PROTOCOL_VERSION, SystemCode, type Frame, type Hello } from "./protocol.js";
import { createServer, type Address, type ServerTls } from "./transport.js";

/** What a handler learns about the call it serves. */
export interface CallInfo {
  /** The method id. */
  readonly method: number;
  /** The caller's deadline (ms since the epoch on this machine's clock), or undefined. */
  readonly deadline: number | undefined;
  readonly traceparent: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /**
   * Aborts when the client cancels the call, its connection closes (reason: cancelReason()) or
   * its deadline passes (reason: deadlineReason()).
   */
  readonly signal: AbortSignal;
  /** The caller's replica id, from its handshake. */
  readonly peer: string;
}

/**
 * Serves one call: resolves with the encoded result, or throws RpcAppError (an application
 * error, already encoded) or RpcSystemError; anything else is answered as an INTERNAL error.
 */
export type Handler = (payload: Buffer, call: CallInfo) => Promise<Uint8Array>;

/** Options of an RPC server. */
export interface ServerOptions {
  /** The deployment and app version clients must match. */
  readonly deployment: string;
  readonly version: string;
  /** This server's replica id, sent to clients. */
  readonly id: string;
  readonly handler: Handler;
  readonly maxFrameBytes?: number;
  /** Calls one connection may have in flight before the server stops reading it (default 1024). */
  readonly maxInFlightPerConnection?: number;
  readonly tls?: ServerTls;
  /** Told about connections closed for breaking the protocol, and refused handshakes. */
  readonly onBadPeer?: (reason: string) => void;
  /** The reason a call's signal aborts with when the caller cancels it (default: an AbortError). */
  readonly cancelReason?: () => Error;
  /** The reason a call's signal aborts with when its deadline passes (default: a TimeoutError). */
  readonly deadlineReason?: () => Error;
}

/** How often the server looks for calls past their deadline. */
const SWEEP_MS = 50;

/** A call being served. */
interface InFlight {
  readonly controller: AbortController;
  readonly deadline: number | undefined;
}

/** Counters of what the server has seen. */
export interface ServerStats {
  /** Connections accepted. */
  accepted: number;
  /** Connections open now. */
  open: number;
  /** Handshakes refused (another deployment, app version or protocol). */
  refused: number;
  /** Connections closed for breaking the protocol (malformed, oversized or unexpected frames). */
  protocolErrors: number;
  /** Calls started. */
  calls: number;
  /** Calls in flight now. */
  inFlight: number;
  /** CANCEL frames that aborted a call. */
  cancelled: number;
}

/** An RPC server. */
export class RpcServer {
  /** Counters; read them, do not write. */
  readonly stats: ServerStats = { accepted: 0, open: 0, refused: 0, protocolErrors: 0, calls: 0, inFlight: 0, cancelled: 0 };
  readonly #options: ServerOptions;
  readonly #server: Server;
  readonly #connections = new Set<ServerConnection>();
  #draining = false;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#server = createServer((socket) => this.#accept(socket), options.tls);
  }

  /** Aborts the calls past their deadline every SWEEP_MS while any call is in flight. */
  #startSweeper(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const c of this.#connections) c.expire(now);
      if (this.stats.inFlight === 0) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Starts listening; resolves with the bound address (the real port when 0 was asked for). */
  listen(address: Address): Promise<Address> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      const done = (): void => {
        this.#server.off("error", reject);
        if ("path" in address) resolve(address);
        else {
          const bound = this.#server.address() as { address: string; port: number };
          resolve({ host: address.host, port: bound.port });
        }
      };
      if ("path" in address) this.#server.listen(address.path, done);
      else this.#server.listen(address.port, address.host, done);
    });
  }

  /**
   * Drains: stops accepting connections, tells clients (GOAWAY) to send new calls elsewhere,
   * answers new requests with SHUTTING_DOWN, lets calls in flight finish, then closes. After
   * `timeoutMs` the remaining connections are closed and their calls cancelled.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#connections) c.goAway();
    const deadline = Date.now() + timeoutMs;
    while (this.#connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    for (const c of this.#connections) c.destroy();
    await closed;
  }

  /** Closes every connection at once, cancelling calls in flight. */
  async close(): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#connections) c.destroy();
    await closed;
  }

  #accept(socket: Socket): void {
    this.stats.accepted++;
    this.stats.open++;
    const connection = new ServerConnection(socket, this.#options, this.stats, () => this.#draining, () => this.#startSweeper());
    this.#connections.add(connection);
    socket.once("close", () => {
      this.#connections.delete(connection);
      this.stats.open--;
    });
  }
}

/** One accepted connection: its handshake, its calls in flight, its frames. */
class ServerConnection {
  readonly #socket: Socket;
  readonly #options: ServerOptions;
  readonly #stats: ServerStats;
  readonly #draining: () => boolean;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #maxInFlight: number;
  readonly #started: () => void;
  #peer: string | undefined;
  #paused = false;
  #closing = false;

  constructor(socket: Socket, options: ServerOptions, stats: ServerStats, draining: () => boolean, started: () => void) {
    this.#socket = socket;
    this.#options = options;
    this.#stats = stats;
    this.#draining = draining;
    this.#started = started;
    this.#maxInFlight = options.maxInFlightPerConnection ?? 1024;
    this.#reader = new FrameReader(options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.#writer = new FrameWriter(socket);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      for (const call of this.#inFlight.values()) call.controller.abort(this.#options.cancelReason?.());
      this.#stats.inFlight -= this.#inFlight.size;
      this.#inFlight.clear();
    });
  }

  /** Tells the client to send new calls elsewhere; closes once calls in flight are answered. */
  goAway(): void {
    if (this.#peer !== undefined) this.#writer.send(FrameType.GOAWAY, 0);
    this.#closing = true;
    this.#maybeEnd();
  }

  /** Closes the connection now. */
  destroy(): void {
    this.#socket.destroy();
  }

  /** Aborts the signals of calls whose deadline has passed (they are still answered). */
  expire(now: number): void {
    for (const call of this.#inFlight.values()) {
      if (call.deadline !== undefined && call.deadline <= now && !call.controller.signal.aborted) {
        call.controller.abort(this.#options.deadlineReason?.() ?? new DOMException("deadline exceeded", "TimeoutError"));
      }
    }
  }

  #onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#reader.push(chunk);
      for (const frame of frames) this.#onFrame(frame);
    } catch (e) {
      this.#stats.protocolErrors++;
      this.#options.onBadPeer?.(`closed a connection that broke the protocol: ${(e as Error).message}`);
      this.#socket.destroy();
    }
  }

  #onFrame(frame: Frame): void {
    if (this.#peer === undefined) {
      if (frame.type !== FrameType.HELLO) throw new ProtocolError(`frame of type ${frame.type} before the handshake`);
      this.#handshake(frame.body);
      return;
    }
    switch (frame.type) {
      case FrameType.REQUEST:
        this.#request(frame);
        return;
      case FrameType.CANCEL: {
        const call = this.#inFlight.get(frame.id);
        if (call !== undefined && !call.controller.signal.aborted) {
          this.#stats.cancelled++;
          call.controller.abort(this.#options.cancelReason?.());
        }
        return;
      }
      default:
        throw new ProtocolError(`unexpected frame of type ${frame.type} from a client`);
    }
  }

  #handshake(body: Buffer): void {
    const hello = decodeHello(body);
    const mine: Hello = { protocol: PROTOCOL_VERSION, deployment: this.#options.deployment, version: this.#options.version, peer: this.#options.id };
    let refusal: string | undefined;
    if (hello["protocol"] !== PROTOCOL_VERSION) {
      refusal = `protocol version mismatch: client speaks ${String(hello["protocol"])}, server ${PROTOCOL_VERSION}`;
    } else if (hello["deployment"] !== mine.deployment) {
      refusal = `deployment mismatch: client is in deployment ${String(hello["deployment"])}, server in ${mine.deployment}`;
    } else if (hello["version"] !== mine.version) {
      refusal = `app version mismatch: client runs version ${String(hello["version"])}, server ${mine.version}`;
    }
    if (refusal !== undefined) {
      this.#stats.refused++;
      this.#options.onBadPeer?.(`refused a client: ${refusal}`);
      this.#writer.send(FrameType.REFUSED, 0, [Buffer.from(refusal)]);
      this.#writer.flush();
      this.#socket.end();
      return;
    }
    this.#peer = typeof hello["peer"] === "string" ? hello["peer"] : "unknown";
    this.#writer.send(FrameType.WELCOME, 0, [encodeHello(mine)]);
    if (this.#closing) this.goAway();
  }

  #request(frame: Frame): void {
    if (this.#inFlight.has(frame.id)) throw new ProtocolError(`request id ${frame.id} is already in flight`);
    const request = decodeRequest(frame.body);
    if (this.#draining() || this.#closing) {
      this.#writer.send(FrameType.SYSTEM_ERROR, frame.id, [systemBody(SystemCode.SHUTTING_DOWN, "server is shutting down")]);
      return;
    }
    const controller = new AbortController();
    const deadline = request.timeoutMs === 0 ? undefined : Date.now() + request.timeoutMs;
    const call: InFlight = { controller, deadline };
    this.#inFlight.set(frame.id, call);
    this.#stats.calls++;
    this.#stats.inFlight++;
    if (deadline !== undefined) this.#started();
    if (this.#inFlight.size >= this.#maxInFlight && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
    const info: CallInfo = {
      method: request.method,
      deadline,
      traceparent: request.traceparent,
      metadata: request.metadata,
      signal: controller.signal,
      peer: this.#peer as string,
    };
    let result: Promise<Uint8Array>;
    try {
      result = this.#options.handler(request.payload, info);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (payload) => this.#answer(frame.id, call, FrameType.RESPONSE, payload),
      (e: unknown) => {
        if (e instanceof RpcAppError) this.#answer(frame.id, call, FrameType.APP_ERROR, e.payload);
        else if (e instanceof RpcSystemError) this.#answer(frame.id, call, FrameType.SYSTEM_ERROR, systemBody(e.code, e.message));
        else this.#answer(frame.id, call, FrameType.SYSTEM_ERROR, systemBody(SystemCode.INTERNAL, String((e as Error)?.message ?? e)));
      },
    );
  }

  #answer(id: number, call: InFlight, type: number, body: Uint8Array): void {
    // A connection that closed has already cancelled and forgotten this call.
    if (this.#inFlight.get(id) !== call) return;
    this.#inFlight.delete(id);
    this.#stats.inFlight--;
    this.#writer.send(type, id, [body]);
    if (this.#paused && this.#inFlight.size < this.#maxInFlight) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#maybeEnd();
  }

  #maybeEnd(): void {
    if (this.#closing && this.#inFlight.size === 0 && !this.#socket.destroyed) {
      this.#writer.flush();
      this.#socket.end();
    }
  }
}

function systemBody(code: number, message: string): Buffer {
  const text = Buffer.from(message);
  const body = Buffer.allocUnsafe(1 + text.length);
  body[0] = code;
  text.copy(body, 1);
  return body;
}
