/**
 * Server stubs over RPC: the handler an RpcServer runs for the components a process hosts. It
 * finds the method from the call's method id, decodes the arguments with the component's codec,
 * checks them against the method's declared parameter types (the generated checks; a mismatch is
 * answered BAD_REQUEST and nothing reaches the implementation), runs the generated server stub on
 * the implementation in a call context rebuilt from what crossed the wire (deadline, cancellation,
 * metadata, trace), and encodes the result, or the application error the method threw, for the
 * caller. The call is counted in the component's statistics, as a local call is; a call that is
 * cancelled, or whose deadline passes, is answered at once with that error (the method, already
 * running, sees its context abort). The handler answers through the call, so a served call makes
 * one promise besides the method's: on Node 20 every promise pays for AsyncLocalStorage's hooks.
 */
import { SpanKind } from "@opentelemetry/api";
import { RpcAppError, RpcSystemError, SystemCode, type ByteRange, type CallInfo, type Handler } from "@weaver/rpc";
import { ServerCallContext, enterContext } from "./call-context.js";
import { DeadlineExceededError } from "./call-errors.js";
import type { MethodStats } from "../metrics/method-stats.js";
import { shortName } from "../names.js";
import { endSpan, startEntrySpan } from "../tracing/tracer.js";
import { Codec, encodeError } from "./codec.js";
import type { Manifest } from "../generated/manifest.js";
import { getComponent, type ServerMethod } from "../generated/registry.js";
import { mismatchMessage, type MethodChecks } from "./value-checks.js";

/** A component this process serves: what runs its calls (its implementation, or a test's fake), and the statistics they count in. */
export interface ServedComponent {
  readonly impl: object;
  /** Per method, index-aligned with the manifest's methods; undefined: not counted (a fake). */
  readonly stats?: readonly MethodStats[] | undefined;
}

/** A hosted component, ready to serve: its methods and its codec. */
interface Served {
  readonly component: string;
  readonly methods: readonly ServerMethod[];
  readonly stats: readonly MethodStats[] | undefined;
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
 * Creates the handler for the components of `app` this process hosts. `served(name)` returns a
 * hosted component (created on first use), or undefined for components hosted elsewhere, whose
 * calls are answered UNKNOWN_METHOD.
 */
export function componentHandler(
  app: Manifest,
  served: (name: string) => Promise<ServedComponent> | undefined,
  options: ComponentHandlerOptions = {},
): Handler {
  const validate = options.validate ?? true;
  const entries = new Map<number, Promise<Served>>();
  const serve = (index: number): Promise<Served> | undefined => {
    let entry = entries.get(index);
    if (entry === undefined) {
      const manifest = app.components[index];
      const component = manifest === undefined ? undefined : served(manifest.name);
      if (manifest === undefined || component === undefined) return undefined;
      const { registration } = getComponent(manifest.name);
      entry = component.then((c) => ({
        component: manifest.name,
        methods: registration.serverStub(c.impl),
        stats: c.stats,
        codec: new Codec(registration.structures),
        checks: validate ? registration.checks : undefined,
        names: manifest.methods.map((m) => `${manifest.name}.${m.name}`),
        spanNames: manifest.methods.map((m) => `${shortName(manifest.name)}.${m.name}`),
      }));
      entries.set(index, entry);
    }
    return entry;
  };

  // Served components, once ready: the common path runs without awaiting anything.
  const ready = new Map<number, Served>();
  return (payload: ByteRange, call: CallInfo): undefined => {
    const index = call.method >>> 16;
    const entry = ready.get(index);
    if (entry !== undefined) {
      run(entry, payload, call);
      return undefined;
    }
    const pending = serve(index);
    if (pending === undefined)
      throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `this process does not host component #${index} of app ${app.app}`);
    pending.then(
      (e) => {
        ready.set(index, e);
        try {
          run(e, payload, call);
        } catch (error) {
          call.reject(error);
        }
      },
      (error: unknown) => call.reject(error),
    );
    return undefined;
  };
}

/**
 * Decodes the arguments, runs the method in the caller's context, and answers the call with the
 * encoded outcome (through call.resolve and reject: no promise of its own).
 */
function run(served: Served, payload: ByteRange, call: CallInfo): void {
  const { component, methods, codec, checks, names, spanNames } = served;
  const m = call.method & 0xffff;
  const method = methods[m];
  if (method === undefined) throw new RpcSystemError(SystemCode.UNKNOWN_METHOD, `component ${component} has no method #${m}`);
  let args: unknown;
  try {
    args = codec.decode(payload.source, payload.start, payload.end);
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
  const stats = served.stats?.[m];
  const timed = stats?.begin() ?? false;
  const start = timed ? performance.now() : 0;
  let done = false;
  // The first outcome counts: the method's, or the call's abort, whichever comes first.
  const fail = (e: unknown): void => {
    if (done) return;
    done = true;
    if (timed) stats!.finish(start, true);
    else stats?.failed();
    call.reject(new RpcAppError(encodeError(e)));
  };
  // Aborted while the component was being created, or the deadline passed before the call began.
  if (call.aborted || (call.deadline !== undefined && Date.now() >= call.deadline)) {
    fail(call.aborted ? call.abortReason : new DeadlineExceededError());
    return;
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
  // No need to stop listening: once answered, the call is forgotten and never aborted.
  call.listen(fail);
  result.then((value) => {
    if (done) return;
    done = true;
    if (timed) stats!.finish(start, false);
    let encoded: ByteRange;
    try {
      encoded = codec.encodeRange(value);
    } catch (e) {
      call.reject(new RpcSystemError(SystemCode.INTERNAL, `cannot encode the result of ${names[m]}: ${(e as Error).message}`));
      return;
    }
    call.resolve(encoded);
  }, fail);
}
