/**
 * The msgpackr codec used between components. Each component gets a codec with the record
 * structures `weaver generate` derived from its method signatures; both ends of a call run the
 * same build, so the structures are shared and never sent. Objects of other shapes fall back to
 * records defined inline in the message, so a shape the generator did not foresee still works.
 *
 * Decoding state never outlives one message: a peer may define records inline, even under the
 * ids of shared structures, but those definitions hold only for the message that carries them.
 * msgpackr truncates inline definitions after each message and, for structures marked
 * `isShared`, restores the shared definition a message overwrote (also when decoding fails).
 * The decoder is an Unpackr of its own, so nothing a peer sends touches how this side encodes.
 * Without this, one hostile message could rename the fields of every later message of every
 * connection (codec.test.ts shows it).
 *
 * Application errors are encoded as plain records (name, message, stack, own fields) and rebuilt
 * at the caller: as an instance of their class when the class is registered with registerError,
 * otherwise as an Error carrying the remote name, message and fields.
 */
import { ByteRange } from "@weaver/rpc";
import { C1, Packr, REUSE_BUFFER_MODE, Unpackr, type Options } from "msgpackr";
import { runtimeError } from "../errors.js";
import { CancelledError, DeadlineExceededError } from "./call-errors.js";

/** Encodes and decodes the values one component's methods exchange. */
export class Codec {
  readonly #packr: Packr;
  readonly #unpackr: Unpackr;

  constructor(structures: readonly (readonly string[])[] = []) {
    const options = (): Options => ({
      // isShared: msgpackr restores these after any message that redefines them (see above).
      structures: structures.map((s) => Object.assign([...s], { isShared: true })),
      maxSharedStructures: structures.length,
      useRecords: true,
      moreTypes: true,
      mapsAsObjects: false,
      useBigIntExtension: true,
    });
    this.#packr = new Packr(options());
    this.#unpackr = new Unpackr(options());
  }

  /** Encodes a value; throws WEAVER_ERR_ENCODE with the reason when it cannot be encoded. */
  encode(value: unknown): Uint8Array {
    try {
      return this.#packr.pack(value);
    } catch (e) {
      throw runtimeError("WEAVER_ERR_ENCODE", `cannot encode value: ${(e as Error).message}`, e);
    }
  }

  /**
   * Encodes a value like encode(), as a range of the encoder's own buffer instead of a view of it
   * (the hot path: no Buffer per message). msgpackr only ever writes past what it returned, so the
   * range stays valid; the buffer is dropped by the encoder, not reused, once it fills up.
   */
  encodeRange(value: unknown): ByteRange {
    let out: Uint8Array & { start?: number; end?: number };
    try {
      out = this.#packr.pack(value, REUSE_BUFFER_MODE);
    } catch (e) {
      throw runtimeError("WEAVER_ERR_ENCODE", `cannot encode value: ${(e as Error).message}`, e);
    }
    // REUSE_BUFFER_MODE returns the encoder's buffer with the message's bounds on it; an encoding
    // that had to make a buffer of its own (inline record definitions) returns just that.
    const source = Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.length);
    return out.end === undefined ? new ByteRange(source, 0, out.length) : new ByteRange(source, out.start as number, out.end);
  }

  /**
   * Decodes a value from `bytes` (from `start` to `end`: a message within a socket chunk is decoded
   * in place); throws WEAVER_ERR_DECODE when the bytes are not a valid message.
   */
  decode(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
    let value: unknown;
    try {
      value = start === 0 && end === bytes.length ? this.#unpackr.unpack(bytes) : this.#unpackr.unpack(bytes, { start, end });
    } catch (e) {
      throw runtimeError("WEAVER_ERR_DECODE", `cannot decode message: ${(e as Error).message}`, e);
    }
    // msgpackr returns a marker instead of throwing for the never-used byte 0xc1.
    if (value === C1) {
      throw runtimeError("WEAVER_ERR_DECODE", "cannot decode message: it starts with the never-used byte 0xc1");
    }
    return value;
  }
}

/** An error class whose instances keep their class across process boundaries. */
export type SerializableErrorClass = abstract new (...args: never[]) => Error;

const errorClasses = new Map<string, SerializableErrorClass>();

/**
 * Registers error classes so that, when a component method throws one, the caller receives an
 * instance of the same class with its name, message and own fields, even across processes.
 * Register at module scope, in a module every process loads (the one that declares the class).
 * Classes are matched by class name (an instance of an unregistered subclass travels as its
 * nearest registered ancestor, keeping its `name`), so two registered classes may not share a name.
 */
export function registerError(...classes: SerializableErrorClass[]): void {
  for (const cls of classes) {
    const existing = errorClasses.get(cls.name);
    if (existing !== undefined && existing !== cls) {
      throw new Error(`registerError: two different error classes are named ${cls.name}; rename one so the caller can tell them apart`);
    }
    errorClasses.set(cls.name, cls);
  }
}

registerError(DeadlineExceededError, CancelledError);

/** The wire form of an application error. */
export interface EncodedError {
  /** The `name` of the error (which may differ from its class's name). */
  readonly name: string;
  /** The name of the nearest registered class the error is an instance of, when there is one. */
  readonly class?: string | undefined;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields of the error (e.g. code), those that could be encoded. */
  readonly fields: Record<string, unknown>;
  /** The error's cause, when it has one. */
  readonly cause?: EncodedError | undefined;
}

const errorCodec = new Codec();

/** Converts anything a method threw into its wire form. */
export function toEncodedError(thrown: unknown): EncodedError {
  if (!(thrown instanceof Error)) {
    return { name: "Error", message: String(thrown), stack: undefined, fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === "stack" || key === "message" || key === "name" || key === "cause") continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (typeof value === "function" || typeof value === "symbol") continue;
    try {
      errorCodec.encode(value);
      fields[key] = value;
    } catch {
      // A field that cannot cross the wire is dropped; the rest of the error still can.
    }
  }
  const cause = thrown.cause === undefined ? undefined : toEncodedError(thrown.cause);
  return {
    name: thrown.name,
    class: registeredClassOf(thrown),
    message: thrown.message,
    stack: thrown.stack,
    fields,
    cause,
  };
}

/**
 * The name of the nearest registered class on the error's prototype chain. Errors are matched by
 * class, not by their `name`, which classes often leave as "Error" or set to something else.
 */
function registeredClassOf(err: Error): string | undefined {
  for (let p: unknown = Object.getPrototypeOf(err); p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = (p as { constructor?: unknown }).constructor;
    if (typeof ctor === "function" && errorClasses.get(ctor.name) === ctor) return ctor.name;
  }
  return undefined;
}

/** Rebuilds an error from its wire form (see registerError for how the class is chosen). */
export function fromEncodedError(encoded: EncodedError): Error {
  const cls = errorClasses.get(encoded.class ?? encoded.name);
  let err: Error;
  if (cls !== undefined) {
    err = Object.create(cls.prototype as object) as Error;
    Object.defineProperty(err, "message", { value: encoded.message, writable: true, configurable: true });
    // A name set in the constructor (`this.name = ...`) is an own field of the thrown error.
    if (err.name !== encoded.name) {
      Object.defineProperty(err, "name", { value: encoded.name, writable: true, configurable: true });
    }
  } else {
    err = new Error(encoded.message);
    if (encoded.name !== "Error") {
      Object.defineProperty(err, "name", { value: encoded.name, writable: true, configurable: true });
    }
  }
  if (encoded.stack !== undefined) {
    Object.defineProperty(err, "stack", { value: encoded.stack, writable: true, configurable: true });
  }
  Object.assign(err, encoded.fields);
  if (encoded.cause !== undefined) {
    Object.defineProperty(err, "cause", { value: fromEncodedError(encoded.cause), writable: true, configurable: true });
  }
  return err;
}

/** Encodes an error thrown by a method for the caller. */
export function encodeError(thrown: unknown): Uint8Array {
  return errorCodec.encode(toEncodedError(thrown));
}

/** Decodes an error encoded by encodeError. */
export function decodeError(bytes: Uint8Array): Error {
  const value = errorCodec.decode(bytes) as EncodedError;
  if (value === null || typeof value !== "object" || typeof value.message !== "string") {
    throw runtimeError("WEAVER_ERR_DECODE", "cannot decode error: not an encoded error");
  }
  return fromEncodedError(value);
}
