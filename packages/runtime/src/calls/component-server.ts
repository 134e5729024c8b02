/**
 * Server stubs over RPC: the handler an RpcServer runs for the components a process hosts. It
 * finds the method from the call's method id, decodes the arguments with the component's codec,
 * checks them against the method's declared parameter types (the generated checks; a mismatch is
 * answered BAD_REQUEST and nothing reaches the implementation), runs the generated server stub in a
 * call context rebuilt from what crossed the wire (deadline, cancellation, metadata, trace), and
 * encodes the result, or the application error the method threw, for the caller.
 */
import { SpanKind } from "@opentelemetry/api";
import { RpcAppError, RpcSystemError, SystemCode, type CallInfo, type Handler } from "@weaver/rpc";
import { ServerCallContext, enterContext } from "./call-context.js";
import { shortName } from "../names.js";
import { endSpan, startEntrySpan } from "../tracing/tracer.js";
import { Codec, encodeError } from "./codec.js";
import type { Manifest } from "../generated/manifest.js";
import { getComponent, type ServerMethod } from "../generated/registry.js";
import { mismatchMessage, type MethodChecks } from "./value-checks.js";

/** A hosted component, ready to serve: its methods and its codec. */
interface Served {
  readonly component: string;
  readonly methods: readonly ServerMethod[];
  readonly codec: Codec;
  /** The checks of each method's arguments; undefined when checks are off. */
  readonly checks: readonly MethodChecks[] | undefined;
  /** `component.method` of each method, for error messages. */
  readonly names: readonly string[];
  /** Span names of the methods (short component names). */
  readonly spanNames: readonly string[];
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** Options of componentHandler. */
export interface ComponentHandlerOptions {
  /**
   * false: do not check arguments against the declared types. Internal: only benchmarks, which
   * measure the cost of the checks against this, turn them off. Default true.
   */
  readonly validate?: boolean;
}

/**
 * Creates the handler for the components of `app` this process hosts. `local(name)` returns a
 * hosted component's local stub (created on first use), or undefined for components hosted
 * elsewhere, whose calls are answered UNKNOWN_METHOD.
 */
export function componentHandler(
  app: Manifest,
  local: (name: string) => Promise<object> | undefined,
  options: ComponentHandlerOptions = {},
): Handler {
  const validate = options.validate ?? true;
  const served = new Map<number, Promise<Served>>();
  const serve = (index: number): Promise<Served> | undefined => {
    let entry = served.get(index);
    if (entry === undefined) {
      const manifest = app.components[index];
      const stub = manifest === undefined ? undefined : local(manifest.name);
      if (manifest === undefined || stub === undefined) return undefined;
      const { registration } = getComponent(manifest.name);
      entry = stub.then((s) => ({
        component: manifest.name,
        methods: registration.serverStub(s),
        codec: new Codec(registration.structures),
        checks: validate ? registration.checks : undefined,
        names: manifest.methods.map((m) => `${manifest.name}.${m.name}`),
        spanNames: manifest.methods.map((m) => `${shortName(manifest.name)}.${m.name}`),
      }));
      served.set(index, entry);
    }
    return entry;
  };

  // Served components, once ready: the common path runs without awaiting anything.
  const ready = new Map<number, Served>();
  return (payload: Buffer, call: CallInfo): Promise<Uint8Array> => {
    const index = call.method >>> 16;
    const entry = ready.get(index);
    if (entry !== undefined) return run(entry, payload, call);
    const pending = serve(index);
    if (pending === undefined)
      throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `this process does not host component #${index} of app ${app.app}`);
    return pending.then((e) => {
      ready.set(index, e);
      return run(e, payload, call);
    });
  };
}

/** Decodes the arguments, runs the method in the caller's context, and encodes the outcome. */
function run({ component, methods, codec, checks, names, spanNames }: Served, payload: Buffer, call: CallInfo): Promise<Uint8Array> {
  const m = call.method & 0xffff;
  const method = methods[m];
  if (method === undefined) throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `component ${component} has no method #${m}`);
  let args: unknown;
  try {
    args = codec.decode(payload);
  } catch (e) {
    throw new RpcSystemError(SystemCode.BAD_REQUEST, `cannot decode the arguments of ${names[m]}: ${(e as Error).message}`);
  }
  if (!Array.isArray(args)) throw new RpcSystemError(SystemCode.BAD_REQUEST, `the arguments of ${names[m]} are not a list`);
  if (checks !== undefined) {
    const check = checks[m];
    // Generated code registers a check per method; a registration without one is refused, not trusted.
    if (check === undefined) {
      throw new RpcSystemError(SystemCode.INTERNAL, `${names[m]} has no argument check: run \`weaver generate\` on the app`);
    }
    if (!check.args(args)) throw new RpcSystemError(SystemCode.BAD_REQUEST, mismatchMessage("arguments", names[m]!));
  }
  // A call from a traced request gets a server span, child of the caller's client span.
  const span = call.traceparent === undefined ? undefined : startEntrySpan(spanNames[m]!, SpanKind.SERVER, call.traceparent, false);
  const ctx = new ServerCallContext(call, call.deadline, call.metadata ?? EMPTY, span?.traceparent ?? call.traceparent, span);
  let result: Promise<unknown>;
  try {
    result = enterContext(ctx, () => method(args as unknown[]));
  } catch (e) {
    result = Promise.reject(e);
  }
  if (span !== undefined) endSpan(result, span);
  return result.then(
    (value) => {
      try {
        return codec.encode(value);
      } catch (e) {
        throw new RpcSystemError(SystemCode.INTERNAL, `cannot encode the result of ${names[m]}: ${(e as Error).message}`);
      }
    },
    (e: unknown) => {
      throw new RpcAppError(encodeError(e));
    },
  );
}
