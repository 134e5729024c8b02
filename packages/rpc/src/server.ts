/**
 * The RPC server: accepts connections, checks each client's handshake, and runs its requests
 * concurrently through a handler (the runtime's dispatcher to generated server stubs). What
 * happens on one connection is in server-connection.ts.
 *
 * Invariants: every request that passes the handshake gets exactly one answer while its
 * connection lives; a frame that breaks the protocol closes its connection only and is counted;
 * nothing a peer sends can throw out of this module. Each connection runs at most
 * maxInFlightPerConnection calls; beyond that, and while answers pile up unread, the server stops
 * reading from it, so a flooding client is slowed by flow control instead of growing memory.
 */
import type { Server, Socket } from "node:net";
import { MAX_FRAME_BYTES } from "./protocol.js";
import { ServerConnection } from "./server-connection.js";
import { createServer, removeStaleSocket, type Address, type ServerTls } from "./transport.js";

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
   * its deadline passes (reason: deadlineReason()). Made on first use: it is costly, so hot
   * paths use `aborted`, `abortReason` and `listen()` instead.
   */
  readonly signal: AbortSignal;
  /** Whether the call has been aborted (see signal). */
  readonly aborted: boolean;
  /** Why the call was aborted, once it has been. */
  readonly abortReason: unknown;
  /** Calls `onAbort` with the reason when the call aborts; returns a function that stops listening. */
  listen(onAbort: (reason: unknown) => void): () => void;
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
  /** The largest frame the server accepts (default MAX_FRAME_BYTES). */
  readonly maxFrameBytes?: number;
  /** Calls one connection may run at once before the server stops reading it (default 1024). */
  readonly maxInFlightPerConnection?: number;
  /** How long a client may take to complete the handshake before it is disconnected (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /**
   * Connections that may wait for their handshake at once (default 256); accepting one more closes
   * the oldest waiting one, so strangers cannot make the server hold unbounded memory.
   */
  readonly maxPendingHandshakes?: number;
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

/** Counters of what the server has seen. */
export interface ServerStats {
  /** Connections accepted. */
  accepted: number;
  /** Connections open now. */
  open: number;
  /** Handshakes refused (another deployment, app version or protocol). */
  refused: number;
  /** Connections closed for breaking the protocol (malformed, oversized or unexpected frames, no handshake). */
  protocolErrors: number;
  /** Calls started. */
  calls: number;
  /** Calls in flight now. */
  inFlight: number;
  /** CANCEL frames that aborted a call (or dropped one that had not started). */
  cancelled: number;
  /** Requests answered SHUTTING_DOWN because the server was draining. */
  turnedAway: number;
  /** Connections closed before their handshake because too many waited for one (maxPendingHandshakes). */
  shed: number;
}

/** An RPC server. */
export class RpcServer {
  /** Counters; read them, do not write. */
  readonly stats: ServerStats = {
    accepted: 0,
    open: 0,
    refused: 0,
    protocolErrors: 0,
    calls: 0,
    inFlight: 0,
    cancelled: 0,
    turnedAway: 0,
    shed: 0,
  };
  readonly #options: ServerOptions & { readonly maxFrameBytes: number };
  readonly #server: Server;
  readonly #connections = new Set<ServerConnection>();
  /** Connections waiting for their handshake, oldest first. */
  readonly #pending = new Set<ServerConnection>();
  #draining = false;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: ServerOptions) {
    this.#options = { ...options, maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES };
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

  /**
   * Starts listening; resolves with the bound address (the real port when 0 was asked for). A
   * Unix socket file left behind by a process that died is replaced; one that a live server
   * listens on is not (EADDRINUSE).
   */
  async listen(address: Address): Promise<Address> {
    try {
      return await this.#listen(address);
    } catch (e) {
      if (!("path" in address) || (e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
      if (!(await removeStaleSocket(address.path))) throw e;
      return this.#listen(address);
    }
  }

  #listen(address: Address): Promise<Address> {
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
    const connection = new ServerConnection(socket, {
      options: this.#options,
      stats: this.stats,
      draining: () => this.#draining,
      deadlineStarted: () => this.#startSweeper(),
      handshaken: (c) => this.#pending.delete(c),
    });
    this.#connections.add(connection);
    this.#pending.add(connection);
    if (this.#pending.size > (this.#options.maxPendingHandshakes ?? 256)) {
      const oldest = this.#pending.values().next().value as ServerConnection;
      this.#pending.delete(oldest);
      this.stats.shed++;
      oldest.destroy();
    }
    // A connection accepted while draining (already queued by the kernel) is told at once.
    if (this.#draining) connection.goAway();
    socket.once("close", () => {
      this.#connections.delete(connection);
      this.#pending.delete(connection);
      this.stats.open--;
    });
  }
}
