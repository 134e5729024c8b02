/**
 * One connection accepted by an RpcServer: its handshake, its calls in flight, its flow control.
 *
 * Flow control (see protocol.ts): at most `maxInFlight` calls run at once, and none starts while
 * more than MAX_UNREAD_BYTES of answers wait for the client to read them. Requests read beyond
 * that wait in `#backlog`, in arrival order, and reading stops until the backlog is empty. The
 * backlog therefore never holds more than the frames of the chunks already read when reading
 * stopped, answers waiting to be read never exceed MAX_UNREAD_BYTES plus what `maxInFlight`
 * calls answer, and memory per connection stays bounded whatever the client sends.
 *
 * Invariants: `#inFlight` and `#backlog` never share an id; every request taken from the wire is
 * answered exactly once unless the connection closes first (closing aborts every call's signal).
 */
import type { Socket } from "node:net";
import { RpcAppError, RpcSystemError } from "./errors.js";
import { FrameReader, ProtocolError, decodeHello, decodeRequest, encodeHello, peerMaxFrameBytes } from "./frames.js";
import { FrameWriter } from "./frame-writer.js";
import { ByteRange, FrameType, PROTOCOL_VERSION, SystemCode, type Frame, type Hello, type Request } from "./protocol.js";
import type { ServerOptions, ServerStats } from "./server.js";
import { ServerCall } from "./server-call.js";

/** Bytes of answers the client has not read beyond which the server stops reading its requests. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/** The largest frame a client may send before its handshake is accepted (HELLO is a small map). */
export const HELLO_MAX_BYTES = 4096;

/** What a connection shares with its server. */
export interface ConnectionContext {
  /** The server's options, with maxFrameBytes set. */
  readonly options: ServerOptions & { readonly maxFrameBytes: number };
  readonly stats: ServerStats;
  /** Whether the server is draining. */
  readonly draining: () => boolean;
  /** Called when a call with a deadline starts, so the server sweeps for expired calls. */
  readonly deadlineStarted: () => void;
  /** Called once the client's handshake is accepted. */
  readonly handshaken: (connection: ServerConnection) => void;
}

/** One accepted connection. */
export class ServerConnection {
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #options: ServerOptions;
  readonly #stats: ServerStats;
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #inFlight = new Map<number, ServerCall>();
  /** Requests read but not started, because `#maxInFlight` calls are running; in arrival order. */
  readonly #backlog = new Map<number, Request>();
  readonly #maxInFlight: number;
  /** The client's identity by its TLS certificate, undefined without mutual TLS. */
  readonly #identity: string | undefined;
  /** The largest frame the client accepts (from its HELLO). */
  #maxAnswerBytes: number;
  #peer: string | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #closing = false;
  /** The handshake was refused: whatever else the client sends is ignored. */
  #refused = false;

  constructor(socket: Socket, identity: string | undefined, context: ConnectionContext) {
    this.#socket = socket;
    this.#identity = identity;
    this.#context = context;
    this.#options = context.options;
    this.#stats = context.stats;
    this.#maxInFlight = Math.max(1, context.options.maxInFlightPerConnection ?? 1024);
    this.#maxAnswerBytes = context.options.maxFrameBytes;
    // Until the handshake, only a HELLO may come: a stranger cannot make the server hold more.
    this.#reader = new FrameReader(Math.min(HELLO_MAX_BYTES, context.options.maxFrameBytes));
    this.#writer = new FrameWriter(socket);
    this.#handshakeTimer = setTimeout(() => this.#noHandshake(), context.options.handshakeTimeoutMs ?? 10_000);
    this.#handshakeTimer.unref();
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("drain", () => this.#flow());
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      clearTimeout(this.#handshakeTimer);
      for (const call of this.#inFlight.values()) call.abort(this.#cancelReason());
      this.#stats.inFlight -= this.#inFlight.size;
      this.#inFlight.clear();
      this.#backlog.clear();
    });
  }

  /** Tells the client to send new calls elsewhere; closes once calls in flight are answered. */
  goAway(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#peer !== undefined) this.#writer.send(FrameType.GOAWAY, 0);
    // Calls that have not started will not: the client sends them elsewhere.
    for (const id of this.#backlog.keys()) this.#turnAway(id);
    this.#backlog.clear();
    this.#flow();
    this.#maybeEnd();
  }

  /** Closes the connection now. */
  destroy(): void {
    this.#socket.destroy();
  }

  #cancelReason(): unknown {
    return this.#options.cancelReason?.() ?? new DOMException("call cancelled", "AbortError");
  }

  /** Aborts the signals of calls whose deadline has passed (they are still answered). */
  expire(now: number): void {
    for (const call of this.#inFlight.values()) {
      if (call.deadline !== undefined && call.deadline <= now && !call.aborted) {
        call.abort(this.#options.deadlineReason?.() ?? new DOMException("deadline exceeded", "TimeoutError"));
      }
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#refused || this.#socket.destroyed) return;
    try {
      for (const frame of this.#reader.push(chunk)) this.#onFrame(frame);
    } catch (e) {
      this.#badPeer(`closed a connection that broke the protocol: ${(e as Error).message}`);
      return;
    }
    this.#flow();
  }

  #badPeer(reason: string): void {
    this.#stats.protocolErrors++;
    this.#options.onBadPeer?.(reason);
    this.#socket.destroy();
  }

  #noHandshake(): void {
    this.#handshakeTimer = undefined;
    if (this.#refused)
      this.#socket.destroy(); // it was told why; it will not be waited on
    else if (this.#peer === undefined && !this.#socket.destroyed) this.#badPeer("closed a connection that sent no handshake in time");
  }

  #onFrame(frame: Frame): void {
    if (this.#refused) return;
    if (this.#peer === undefined) {
      if (frame.type !== FrameType.HELLO) throw new ProtocolError(`frame of type ${frame.type} before the handshake`);
      this.#handshake(frame.bytes);
      return;
    }
    switch (frame.type) {
      case FrameType.REQUEST:
        this.#request(frame.id, decodeRequest(frame));
        return;
      case FrameType.CANCEL:
        this.#cancel(frame.id);
        return;
      default:
        throw new ProtocolError(`unexpected frame of type ${frame.type} from a client`);
    }
  }

  #handshake(body: Buffer): void {
    const hello = decodeHello(body);
    const { options } = this.#context;
    const mine: Hello = {
      protocol: PROTOCOL_VERSION,
      deployment: options.deployment,
      version: options.version,
      peer: options.id,
      maxFrameBytes: options.maxFrameBytes,
    };
    // The refusal the client reads names only what the client sent: telling a stranger the right
    // deployment id and version would make the handshake no check at all. The server's log says both.
    let refusal: string | undefined;
    let detail: string | undefined;
    if (hello["protocol"] !== PROTOCOL_VERSION) {
      refusal = `protocol version mismatch: client speaks ${String(hello["protocol"])}, server ${PROTOCOL_VERSION}`;
    } else if (hello["deployment"] !== mine.deployment) {
      refusal = `deployment mismatch: client is in deployment ${clip(hello["deployment"])}, this server is not`;
      detail = `deployment mismatch: client is in deployment ${clip(hello["deployment"])}, server in ${mine.deployment}`;
    } else if (hello["version"] !== mine.version) {
      refusal = `app version mismatch: client runs version ${clip(hello["version"])}, this server does not`;
      detail = `app version mismatch: client runs version ${clip(hello["version"])}, server ${mine.version}`;
    }
    if (refusal !== undefined) {
      this.#refused = true;
      this.#stats.refused++;
      options.onBadPeer?.(`refused a client: ${detail ?? refusal}`);
      this.#writer.send(FrameType.REFUSED, 0, [Buffer.from(refusal)]);
      this.#writer.flush();
      this.#socket.end();
      return;
    }
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    this.#peer = typeof hello["peer"] === "string" ? clip(hello["peer"]) : "unknown";
    this.#reader.maxFrameBytes = options.maxFrameBytes;
    this.#context.handshaken(this);
    this.#maxAnswerBytes = peerMaxFrameBytes(hello, options.maxFrameBytes);
    this.#writer.send(FrameType.WELCOME, 0, [encodeHello(mine)]);
    if (this.#closing) this.#writer.send(FrameType.GOAWAY, 0);
  }

  #request(id: number, request: Request): void {
    if (this.#inFlight.has(id) || this.#backlog.has(id)) throw new ProtocolError(`request id ${id} is already in flight`);
    if (this.#context.draining() || this.#closing) this.#turnAway(id);
    else if (this.#backlog.size > 0 || !this.#mayStart()) this.#backlog.set(id, request);
    else this.#start(id, request);
  }

  /** Whether another call may start: below the in-flight limit, and the client reads its answers. */
  #mayStart(): boolean {
    return this.#inFlight.size < this.#maxInFlight && this.#unreadBytes() <= MAX_UNREAD_BYTES;
  }

  /** Answers written or queued that the client has not read (as far as this side can tell). */
  #unreadBytes(): number {
    return this.#socket.writableLength + this.#writer.queuedBytes;
  }

  #cancel(id: number): void {
    const call = this.#inFlight.get(id);
    if (call !== undefined) {
      if (!call.aborted) {
        this.#stats.cancelled++;
        call.abort(this.#cancelReason());
      }
    } else if (this.#backlog.delete(id)) {
      this.#stats.cancelled++;
      this.#send(FrameType.SYSTEM_ERROR, id, systemBody(SystemCode.CANCELLED, "call cancelled before it started"));
    }
  }

  #turnAway(id: number): void {
    this.#stats.turnedAway++;
    this.#send(FrameType.SYSTEM_ERROR, id, systemBody(SystemCode.SHUTTING_DOWN, "server is shutting down"));
  }

  #start(id: number, request: Request): void {
    const deadline = request.timeoutMs === 0 ? undefined : Date.now() + request.timeoutMs;
    const call = new ServerCall(id, this.#settle, request, deadline, this.#peer as string, this.#identity);
    this.#inFlight.set(id, call);
    this.#stats.calls++;
    this.#stats.inFlight++;
    if (deadline !== undefined) this.#context.deadlineStarted();
    let result: Promise<Uint8Array | ByteRange> | undefined;
    try {
      result = this.#options.handler(request.payload, call);
    } catch (e) {
      call.reject(e);
      return;
    }
    // Promise.resolve: a handler written in plain JS may return a value instead of a promise.
    if (result !== undefined)
      Promise.resolve(result).then(
        (payload) => call.resolve(payload),
        (e: unknown) => call.reject(e),
      );
  }

  /** Answers a call with what its handler gave (see CallInfo.resolve and reject). */
  readonly #settle = (call: ServerCall, value: unknown, failed: boolean): void => {
    const id = call.id;
    if (!failed) {
      if (value instanceof Uint8Array || value instanceof ByteRange) this.#answer(id, call, FrameType.RESPONSE, value);
      else this.#answer(id, call, FrameType.SYSTEM_ERROR, systemBody(SystemCode.INTERNAL, "the handler's result is not bytes"));
    } else if (value instanceof RpcAppError && value.payload instanceof Uint8Array)
      this.#answer(id, call, FrameType.APP_ERROR, value.payload);
    else if (value instanceof RpcSystemError) this.#answer(id, call, FrameType.SYSTEM_ERROR, systemBody(value.code, value.message));
    else this.#answer(id, call, FrameType.SYSTEM_ERROR, systemBody(SystemCode.INTERNAL, String((value as Error)?.message ?? value)));
  };

  #answer(id: number, call: ServerCall, type: number, body: Uint8Array | ByteRange): void {
    // A connection that closed has already cancelled and forgotten this call.
    if (this.#inFlight.get(id) !== call) return;
    this.#inFlight.delete(id);
    this.#stats.inFlight--;
    this.#send(type, id, body);
    this.#flow();
    this.#maybeEnd();
  }

  /** Sends an answer, unless it is larger than the client accepts: then an INTERNAL error says so. */
  #send(type: number, id: number, body: Uint8Array | ByteRange): void {
    if (body.length + 5 > this.#maxAnswerBytes) {
      const what = type === FrameType.RESPONSE ? "result" : "error";
      const reason = `the ${what} is ${body.length} bytes, more than the ${this.#maxAnswerBytes}-byte frames the caller accepts`;
      this.#writer.send(FrameType.SYSTEM_ERROR, id, [systemBody(SystemCode.INTERNAL, reason)]);
    } else this.#writer.send(type, id, [body]);
  }

  /** Starts waiting requests the limit allows, and reads from the client only when it may. */
  #flow(): void {
    if (this.#socket.destroyed) return;
    while (this.#backlog.size > 0 && this.#mayStart()) {
      const [id, request] = this.#backlog.entries().next().value as [number, Request];
      this.#backlog.delete(id);
      this.#start(id, request);
    }
    const hold = this.#backlog.size > 0 || this.#unreadBytes() > MAX_UNREAD_BYTES;
    if (hold && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    } else if (!hold && this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  #maybeEnd(): void {
    if (this.#closing && this.#inFlight.size === 0 && !this.#socket.destroyed) {
      this.#writer.flush();
      this.#socket.end();
    }
  }
}

/** A value a peer sent, as text short enough for a log line. */
function clip(value: unknown): string {
  const text = String(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function systemBody(code: number, message: string): Buffer {
  const text = Buffer.from(message);
  const body = Buffer.allocUnsafe(1 + text.length);
  body[0] = code;
  text.copy(body, 1);
  return body;
}
