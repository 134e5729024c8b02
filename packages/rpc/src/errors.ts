/**
 * Errors of the RPC layer. The runtime turns them into the errors apps see: RpcAppError carries an
 * application error the method threw (re-thrown at the caller with its class); every RpcError is a
 * failure of the call path (a RemoteCallError, or DeadlineExceededError / CancelledError).
 */

/** What went wrong with a call, in the RPC layer's terms. */
export type RpcErrorKind =
  /** No replica could be reached before the deadline; the method did not run. */
  | "unavailable"
  /** The connection broke while the call was in flight; the method may have run. */
  | "connection"
  /** The server refused the handshake (another deployment or app version); the method did not run. */
  | "refused"
  /** The server answered with a system error (see `code`). */
  | "system"
  /** The request is larger than the maximum frame size; it was not sent. */
  | "too-large"
  /** The call's options cannot be sent (metadata values that are not strings, a bad traceparent); it was not sent. */
  | "invalid"
  /** The call's deadline passed. */
  | "deadline"
  /** The caller cancelled the call. */
  | "cancelled";

/** A failure of the call path. */
export class RpcError extends Error {
  /** What went wrong. */
  readonly kind: RpcErrorKind;
  /** The endpoint (replica id) the call went to, when one was chosen. */
  readonly endpoint: string | undefined;
  /** The SYSTEM_ERROR code, for kind "system". */
  readonly code: number | undefined;

  constructor(kind: RpcErrorKind, message: string, options: { endpoint?: string | undefined; code?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.endpoint = options.endpoint;
    this.code = options.code;
  }

  override get name(): string {
    return "RpcError";
  }
}

/**
 * An application error travelling as its encoded form: thrown by a server handler to answer
 * APP_ERROR, and thrown by the client when an APP_ERROR arrives.
 */
export class RpcAppError extends Error {
  /** The encoded error. */
  readonly payload: Uint8Array;

  constructor(payload: Uint8Array) {
    super("application error");
    this.payload = payload;
  }

  override get name(): string {
    return "RpcAppError";
  }
}

/** Thrown by a server handler to answer SYSTEM_ERROR with a code (see SystemCode). */
export class RpcSystemError extends Error {
  /** The SystemCode. */
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }

  override get name(): string {
    return "RpcSystemError";
  }
}

/** The error of a request body of `bodyBytes` that does not fit a frame of at most `limit` bytes. */
export function tooLargeError(bodyBytes: number, limit: number, whose: string): RpcError {
  return new RpcError(
    "too-large",
    `the request is ${bodyBytes} bytes, more than ${whose} ${limit}-byte frame limit allows; it was not sent`,
  );
}

/** The error of a call on a closed client. */
export function closedError(): RpcError {
  return new RpcError("unavailable", "the client is closed");
}

/** The error a call rejects with when its signal aborts: the signal's own Error reason, or "cancelled". */
export function abortError(signal: AbortSignal, endpoint: string | undefined): RpcError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof Error && (reason.name === "DeadlineExceededError" || reason.name === "TimeoutError");
  return new RpcError(timedOut ? "deadline" : "cancelled", timedOut ? "deadline exceeded" : "call cancelled", { endpoint, cause: reason });
}
