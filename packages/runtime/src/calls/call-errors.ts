/** Errors of the call path: deadlines, cancellation and transport failures. */
import { WeaverError } from "../errors.js";

/** A call did not finish before its deadline (see withDeadline). */
export class DeadlineExceededError extends WeaverError {
  constructor(message = "deadline exceeded") {
    super("WEAVER_ERR_DEADLINE_EXCEEDED", message);
  }

  override get name(): string {
    return "DeadlineExceededError";
  }
}

/** A call was cancelled by its caller (its AbortSignal fired for another reason than a deadline). */
export class CancelledError extends WeaverError {
  constructor(message = "call cancelled") {
    super("WEAVER_ERR_CANCELLED", message);
  }

  override get name(): string {
    return "CancelledError";
  }
}

/**
 * A call to a component failed in the framework, not in the method: the connection broke, the
 * callee's process died, or the arguments or result could not be encoded. The method may have
 * executed partially, fully or not at all. Errors thrown by the method itself are never wrapped
 * in RemoteCallError; they reach the caller as they were thrown.
 */
export class RemoteCallError extends WeaverError {
  /** Full name of the component that was called. */
  readonly component: string;
  /** Name of the method that was called. */
  readonly method: string;
  /** Id of the replica the call went to, when one was chosen. */
  readonly replica: string | undefined;

  constructor(component: string, method: string, reason: string, options?: { replica?: string | undefined; cause?: unknown }) {
    const where = options?.replica ? ` on replica ${options.replica}` : "";
    super("WEAVER_ERR_REMOTE_CALL", `call to ${component}.${method}${where} failed: ${reason}`, options);
    this.component = component;
    this.method = method;
    this.replica = options?.replica;
  }

  override get name(): string {
    return "RemoteCallError";
  }
}
