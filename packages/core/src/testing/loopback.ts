/**
 * The loopback call path of the rpc runner: every call is encoded by a caller-side codec, decoded
 * by a separate callee-side codec (as in two processes), served through the generated server stub
 * in a fresh call context rebuilt from the caller's deadline and metadata, and its result or error
 * travels back the same way. Retriable methods are executed twice, to expose methods that are not
 * safe to retry.
 */
import {
  Codec,
  RemoteCallError,
  decodeError,
  encodeError,
  enterContext,
  getComponent,
  raceSignal,
  runWithContext,
  context,
  type CallContext,
  type RemoteCalls,
  type ServerMethod,
} from "@weaver/runtime";

/** How the loopback reaches the component that serves the calls (its local stub). */
export type InstanceSource = (name: string) => Promise<object>;

const detached: CallContext = {
  deadline: undefined,
  signal: new AbortController().signal,
  metadata: {},
  traceparent: undefined,
};

/** A call's result, the error the method threw, or a failure of the call path itself. */
type Outcome = { readonly ok: Uint8Array } | { readonly err: Uint8Array } | { readonly transport: string };

/** Creates the loopback call path to component `name`. */
export function loopbackCalls(name: string, instance: InstanceSource, injectRetries: boolean): RemoteCalls {
  const { registration, manifest } = getComponent(name);
  const client = new Codec(registration.structures);
  const server = new Codec(registration.structures);
  let handlers: readonly ServerMethod[] | undefined;

  const serve = async (method: number, wire: Uint8Array, caller: CallContext): Promise<Outcome> => {
    handlers ??= registration.serverStub(await instance(name));
    const handler = handlers[method] as ServerMethod;
    const timeoutMs = caller.deadline === undefined ? undefined : caller.deadline - Date.now();
    // The callee starts from an empty context, as a server process would, and gets only what
    // crosses the wire: the deadline, the metadata and cancellation.
    return enterContext(detached, () =>
      runWithContext({ timeoutMs, metadata: caller.metadata, signal: caller.signal, traceparent: caller.traceparent }, async () => {
        let args: unknown[];
        try {
          args = server.decode(wire) as unknown[];
        } catch (e) {
          return { transport: (e as Error).message };
        }
        let result: unknown;
        try {
          result = await handler(args);
        } catch (e) {
          return { err: encodeError(e) };
        }
        try {
          return { ok: server.encode(result) };
        } catch (e) {
          return { transport: `cannot encode the result: ${(e as Error).message}` };
        }
      }),
    ).catch((e: unknown) => ({ err: encodeError(e) }));
  };

  return {
    async call(method: number, args: unknown[]): Promise<unknown> {
      const methodName = manifest.methods[method]?.name ?? `#${method}`;
      let wire: Uint8Array;
      try {
        wire = client.encode(args);
      } catch (e) {
        throw new RemoteCallError(name, methodName, (e as Error).message, { cause: e });
      }
      const caller = context();
      const once = (): Promise<Outcome> => serve(method, wire, caller);
      let outcome = await raceSignal(once(), caller.signal);
      if (injectRetries && manifest.methods[method]?.retriable === true) {
        outcome = await raceSignal(once(), caller.signal);
      }
      if ("transport" in outcome) throw new RemoteCallError(name, methodName, outcome.transport);
      if ("err" in outcome) throw decodeError(outcome.err);
      try {
        return client.decode(outcome.ok);
      } catch (e) {
        throw new RemoteCallError(name, methodName, (e as Error).message, { cause: e });
      }
    },
  };
}
