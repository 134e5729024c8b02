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
import { writeFrameHeader } from "./frames.js";
import { FrameType, MAX_FRAME_BYTES, type ByteRange } from "./protocol.js";
import { ServerConnection } from "./server-connection.js";
import { createServer, removeStaleSocket, type Accepted, type Address, type ServerTls, type TransportServer } from "./transport.js";

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
  /**
   * Answers the call with its encoded result, for a handler that returns undefined instead of a
   * promise (it saves the promise). Only a call's first answer is sent; one after the call was
   * answered, or its connection closed, is ignored.
   */
  resolve(result: Uint8Array | ByteRange): void;
  /** Answers the call with an error, as a handler's promise rejecting with it would. */
  reject(e: unknown): void;
  /**
   * Who the caller is by its verified TLS certificate (ServerTls.identify), or undefined when the
   * server does not check client certificates. Unlike `peer`, the caller cannot choose it.
   */
  readonly identity: string | undefined;
}

/**
 * Serves one call: resolves with the encoded result, or throws RpcAppError (an application
 * error, already encoded) or RpcSystemError; anything else is answered as an INTERNAL error. A
 * handler may instead return undefined and answer through the call's resolve() and reject().
 * The payload is a range of the chunk it arrived in (no copy); a result may be a range too.
 */
export type Handler = (payload: ByteRange, call: CallInfo) => Promise<Uint8Array | ByteRange> | undefined;

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
  /**
   * TLS: a server certificate, and with `ca` mutual TLS, where each client must present a valid
   * certificate (whose identity its calls carry) or is refused; plain clients are refused too.
   * setTls() changes it for new connections.
   */
  readonly tls?: ServerTls;
  /** Told about connections closed for breaking the protocol, refused handshakes and failed TLS handshakes. */
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
  /** Handshakes refused (another deployment, app version or protocol; with TLS, a client without TLS or a valid certificate). */
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
  readonly #transport: TransportServer;
  readonly #connections = new Set<ServerConnection>();
  /** Connections waiting for their handshake, oldest first. */
  readonly #pending = new Set<ServerConnection>();
  #draining = false;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: ServerOptions) {
    this.#options = { ...options, maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES };
    this.#transport = createServer({
      onSocket: (socket, accepted) => this.#accept(socket, accepted),
      tls: options.tls,
      onError: (reason) => options.onBadPeer?.(reason),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      maxPending: options.maxPendingHandshakes,
    });
    this.#server = this.#transport.server;
  }

  /**
   * Changes the server's certificate (and CAs, and identify) for the connections accepted from
   * now on; connections already open keep theirs, and their calls go on. Only for a server
   * started with TLS.
   */
  setTls(serverTls: ServerTls): void {
    this.#transport.setTls(serverTls);
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
    this.#transport.closePending();
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
    this.#transport.closePending();
    for (const c of this.#connections) c.destroy();
    await closed;
  }

  #accept(socket: Socket, accepted: Accepted): void {
    this.stats.accepted++;
    if (accepted.refusal !== undefined) {
      this.#refuse(socket, accepted.refusal);
      return;
    }
    this.stats.open++;
    const connection = new ServerConnection(socket, accepted.identity, {
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

  /**
   * Tells a client, before its first frame is read, why it may not talk to this server (REFUSED,
   * id 0, as a refused HELLO is answered), and closes the connection.
   */
  #refuse(socket: Socket, reason: string): void {
    this.stats.refused++;
    this.#options.onBadPeer?.(`refused a client: ${reason}`);
    const text = Buffer.from(reason);
    const frame = Buffer.alloc(9 + text.length);
    writeFrameHeader(frame, 0, FrameType.REFUSED, 0, text.length);
    text.copy(frame, 9);
    socket.on("error", () => socket.destroy());
    socket.end(frame);
    socket.resume(); // what the client sent is not read
    // A client that never closes its side is not waited for.
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
}
