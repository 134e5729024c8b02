/**
 * The client's connection to one replica. It connects on demand, performs the handshake, numbers
 * and multiplexes calls, and settles each call exactly once: with the response, the error the
 * server sent, or a connection failure when the connection breaks first.
 *
 * States: idle → connecting → ready → (draining) → closed, and back to connecting on the next
 * use after a failure, no sooner than its backoff allows. A refused handshake (another
 * deployment or version), or a server certificate the client's checkServer rejects (the replica
 * is not who it should be), is final: the endpoint stays refused. Every change of state is reported
 * through `changed`, so calls waiting for a replica look again.
 */
import type { Socket } from "node:net";
import { RpcAppError, RpcError } from "./errors.js";
import { FrameReader, ProtocolError, decodeHello, encodeHello, peerMaxFrameBytes } from "./frames.js";
import { FrameWriter, type BodyPart } from "./frame-writer.js";
import { FrameType, systemErrorIsRetriable, type ByteRange, type Frame, type Hello } from "./protocol.js";
import { SERVER_REJECTED, connect, formatEndpoint, readyEvent, tlsHint, type Address, type ClientTls } from "./transport.js";

/** The state of an endpoint's connection. */
export type EndpointState = "idle" | "connecting" | "ready" | "draining" | "refused" | "closed";

/** What every endpoint of a client shares. */
export interface EndpointOptions {
  /** The client's HELLO, maxFrameBytes included. */
  readonly hello: Hello;
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  /** TLS, or a function that gives the TLS of each new connection (certificates rotate). */
  readonly tls: ClientTls | (() => ClientTls) | undefined;
  /** Called after an endpoint's state changed. */
  readonly changed: () => void;
}

/** A call sent on an endpoint, told its outcome exactly once: the reply, or why there is none. */
export interface Waiter {
  /** When the call gives up (ms since the epoch); expire() fails it then. */
  readonly deadline: number;
  /** The response payload; valid while the chunk it arrived in is (see ByteRange). */
  reply(payload: ByteRange): void;
  /** An RpcError, or the RpcAppError the method threw. */
  fail(e: Error): void;
}

const RECONNECT_MIN_MS = 20;
const RECONNECT_MAX_MS = 2_000;

/** A replica as the client sees it. */
export class Endpoint {
  /** The replica's id. */
  readonly id: string;
  readonly address: Address;
  /** Calls sent and not yet answered (what balancers look at). */
  outstanding = 0;
  #state: EndpointState = "idle";
  readonly #options: EndpointOptions;
  readonly #where: string;
  #socket: Socket | undefined;
  #writer: FrameWriter | undefined;
  #connecting: Promise<void> | undefined;
  readonly #pending = new Map<number, Waiter>();
  #nextId = 1;
  #failures = 0;
  #retryAt = 0;
  #refusal: string | undefined;
  #lastError: string | undefined;
  #maxFrameBytes: number;
  /** Removed from the replica set: close once the last call is answered. */
  #retiring = false;

  constructor(id: string, address: Address, options: EndpointOptions) {
    this.id = id;
    this.address = address;
    this.#options = options;
    this.#where = `${id} at ${formatEndpoint(address)}`;
    this.#maxFrameBytes = options.maxFrameBytes;
  }

  /** The connection's state. */
  get state(): EndpointState {
    return this.#state;
  }

  /** Whether a connection attempt may start now (not refused, retired, or backing off). */
  get connectable(): boolean {
    return (this.#state === "idle" || this.#state === "closed") && !this.#retiring && Date.now() >= this.#retryAt;
  }

  /** When the next connection attempt may start. */
  get retryAt(): number {
    return this.#retryAt;
  }

  /** Why the server refused the handshake (or the client the server), for a refused endpoint. */
  get refusal(): string | undefined {
    return this.#refusal;
  }

  /** Why the last connection attempt failed, if it did. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The largest frame this endpoint may send: the smaller of the client's and the server's limit. */
  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  /** Calls waiting for an answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Connects (once; concurrent callers share the attempt) and resolves when the handshake is done. */
  connect(): Promise<void> {
    if (this.#state === "ready") return Promise.resolve();
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /**
   * Sends a call whose request body is `head` + `payload`, and returns its id; `waiter` is told
   * the outcome. Throws RpcError "unavailable" at once, having sent nothing, when the connection
   * is not ready (it may have closed since the replica was picked).
   */
  call(head: Uint8Array, payload: BodyPart, waiter: Waiter): number {
    const writer = this.#writer;
    if (this.#state !== "ready" || writer === undefined) {
      throw new RpcError("unavailable", `connection to ${this.#where} is ${this.#state}`, { endpoint: this.id });
    }
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    this.#pending.set(id, waiter);
    this.outstanding++;
    writer.send(FrameType.REQUEST, id, [head, payload]);
    return id;
  }

  /** Abandons call `id`: tells the server to cancel it and fails it with `reason`. */
  cancel(id: number, reason: RpcError): void {
    const waiter = this.#pending.get(id);
    if (waiter === undefined) return;
    this.#settle(id);
    if (this.#state === "ready" || this.#state === "draining") this.#writer?.send(FrameType.CANCEL, id);
    waiter.fail(reason);
  }

  /**
   * Fails, and cancels on the server, every call whose deadline has passed; returns the
   * earliest deadline of the calls that remain (Infinity when none do).
   */
  expire(now: number): number {
    let next = Infinity;
    for (const [id, w] of this.#pending) {
      if (w.deadline <= now) this.cancel(id, new RpcError("deadline", "deadline exceeded", { endpoint: this.id }));
      else if (w.deadline < next) next = w.deadline;
    }
    return next;
  }

  /** Takes the endpoint out of use: no new calls; the connection closes after the last answer. */
  retire(): void {
    this.#retiring = true;
    if (this.#pending.size === 0) this.close();
  }

  /** Closes the connection now; calls in flight fail with a connection error. */
  close(): void {
    this.#socket?.destroy();
  }

  #open(): Promise<void> {
    this.#state = "connecting";
    const tls = typeof this.#options.tls === "function" ? this.#options.tls() : this.#options.tls;
    const socket = connect(this.address, tls);
    this.#socket = socket;
    const writer = new FrameWriter(socket);
    this.#writer = writer;
    const reader = new FrameReader(this.#options.maxFrameBytes);
    const where = this.#where;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: RpcError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#lastError = e.message;
        reject(e);
      };
      const timer = setTimeout(() => {
        fail(
          new RpcError("unavailable", `cannot connect to ${where}: no handshake within ${this.#options.connectTimeoutMs} ms`, {
            endpoint: this.id,
          }),
        );
        socket.destroy();
      }, this.#options.connectTimeoutMs);
      socket.once(readyEvent(tls), () => writer.send(FrameType.HELLO, 0, [encodeHello(this.#options.hello)]));
      socket.on("data", (chunk: Buffer) => {
        try {
          for (const frame of reader.push(chunk)) {
            if (this.#state === "connecting") {
              if (this.#handshake(frame)) {
                settled = true;
                clearTimeout(timer);
                this.#failures = 0;
                this.#lastError = undefined;
                resolve();
                this.#options.changed();
              }
            } else if (this.#state !== "refused") this.#onFrame(frame);
          }
        } catch (e) {
          fail(new RpcError("unavailable", `cannot connect to ${where}: ${(e as Error).message}`, { endpoint: this.id, cause: e }));
          socket.destroy(e as Error);
        }
      });
      socket.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === SERVER_REJECTED) {
          this.#refusal = `this client refused replica ${where}: ${e.message}`;
          this.#state = "refused";
          fail(new RpcError("refused", this.#refusal, { endpoint: this.id, cause: e }));
          return;
        }
        const why = e.code === undefined || e.message.includes(e.code) ? e.message : `${e.code}: ${e.message}`;
        const hint = tlsHint(e.code);
        fail(
          new RpcError("unavailable", `cannot connect to ${where}: ${why}${hint === undefined ? "" : ` (${hint})`}`, {
            endpoint: this.id,
            cause: e,
          }),
        );
      });
      socket.once("end", () => socket.end());
      socket.once("close", () => {
        fail(
          new RpcError(this.#refusal ? "refused" : "unavailable", this.#refusal ?? `connection to ${where} closed during the handshake`, {
            endpoint: this.id,
          }),
        );
        this.#closed(socket);
      });
    });
  }

  /** Handles the server's answer to HELLO; returns whether the connection is ready. */
  #handshake(frame: Frame): boolean {
    if (frame.type === FrameType.REFUSED) {
      this.#refusal = `replica ${this.id} refused the connection: ${frame.bytes.toString()}`;
      this.#state = "refused";
      return false;
    }
    if (frame.type !== FrameType.WELCOME) throw new ProtocolError(`expected WELCOME, got frame type ${frame.type}`);
    this.#maxFrameBytes = peerMaxFrameBytes(decodeHello(frame.bytes), this.#options.maxFrameBytes);
    this.#state = "ready";
    return true;
  }

  #onFrame(frame: Frame): void {
    if (frame.type === FrameType.GOAWAY) {
      this.#state = "draining";
      this.#options.changed();
      return;
    }
    if (frame.type !== FrameType.RESPONSE && frame.type !== FrameType.APP_ERROR && frame.type !== FrameType.SYSTEM_ERROR) {
      throw new ProtocolError(`unexpected frame of type ${frame.type} from a server`);
    }
    const waiter = this.#pending.get(frame.id);
    if (waiter === undefined) return; // an answer to a call already given up on
    this.#settle(frame.id);
    if (frame.type === FrameType.RESPONSE) waiter.reply(frame);
    else if (frame.type === FrameType.APP_ERROR) waiter.fail(new RpcAppError(frame.bytes));
    else {
      const code = frame.length > 0 ? (frame.source[frame.start] as number) : 0;
      const message = frame.source.toString("utf8", Math.min(frame.start + 1, frame.end), frame.end);
      const kind = systemErrorIsRetriable(code) ? "unavailable" : "system";
      waiter.fail(new RpcError(kind, `replica ${this.id}: ${message}`, { endpoint: this.id, code }));
    }
  }

  #settle(id: number): void {
    this.#pending.delete(id);
    this.outstanding--;
    if (this.#retiring && this.#pending.size === 0) this.close();
  }

  #closed(socket: Socket): void {
    if (this.#socket !== socket) return;
    // A connection that was up reconnects soon; one that never came up backs off exponentially.
    const wasUp = this.#state === "ready" || this.#state === "draining";
    if (this.#state !== "refused") this.#state = "closed";
    this.#failures = wasUp ? 1 : this.#failures + 1;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(this.#failures - 1, 10));
    this.#retryAt = Date.now() + backoff * (0.5 + Math.random() / 2);
    const broken = [...this.#pending.values()];
    this.#pending.clear();
    this.outstanding = 0;
    this.#socket = undefined;
    this.#writer = undefined;
    for (const w of broken) {
      w.fail(new RpcError("connection", `connection to ${this.#where} broke while the call was in flight`, { endpoint: this.id }));
    }
    this.#options.changed();
  }
}
