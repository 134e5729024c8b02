/**
 * The testing kit's rpc runner's transport: for each app a test uses, an RpcServer on a Unix socket in a
 * private folder serves the components this process hosts, and an RpcClient calls it, so every
 * call between components crosses a real socket through the generated stubs, as between
 * processes. Each retriable call runs twice, to expose methods that are not safe to retry.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RpcClient, RpcServer, privateSocketDir } from "@weaver/rpc";
import type { Manifest } from "../generated/manifest.js";
import { getComponent, type RemoteCalls } from "../generated/registry.js";
import { CancelledError, DeadlineExceededError } from "./call-errors.js";
import { componentHandler, type ServedComponent } from "./component-server.js";
import { remoteCalls } from "./remote-calls.js";

/** A method whose calls the loopback ran twice. */
export interface RepeatedMethod {
  /** `Interface.method`, as the sources name them. */
  readonly method: string;
  /** Calls that ran twice. */
  readonly calls: number;
  /** Of those, the calls whose second run answered otherwise than the first. */
  readonly differed: number;
}

/** A server and a client per app, in one process. */
export class SocketLoopback {
  readonly #deployment = randomUUID();
  readonly #local: (name: string) => Promise<ServedComponent> | undefined;
  readonly #apps = new Map<string, { server: RpcServer; client: RpcClient; ready: Promise<void> }>();
  readonly #dir = privateSocketDir("weaver-test-");
  readonly #repeats = new Map<string, { method: string; calls: number; differed: number }>();

  /** `local(name)` returns a component this process serves (undefined: none). */
  constructor(local: (name: string) => Promise<ServedComponent> | undefined) {
    this.#local = local;
  }

  /** The call path from component `caller` to component `name`, over the socket. */
  calls(name: string, caller: string): RemoteCalls {
    const component = getComponent(name);
    const { client } = this.#app(component.app);
    // As the interface is named in the sources: Audit.record.
    const short = name.slice(name.lastIndexOf("/") + 1);
    const onRepeat = (method: string, same: boolean): void => {
      const key = `${short}.${method}`;
      const seen = this.#repeats.get(key) ?? { method: key, calls: 0, differed: 0 };
      seen.calls++;
      if (!same) seen.differed++;
      this.#repeats.set(key, seen);
    };
    return remoteCalls(component, client, { injectRetries: 1, caller, onRepeat });
  }

  /** The methods whose calls ran twice so far, with how many calls and how many answered differently the second time. */
  repeated(): readonly RepeatedMethod[] {
    return [...this.#repeats.values()];
  }

  /** Closes every client and server and removes the sockets. */
  async close(): Promise<void> {
    for (const { server, client, ready } of this.#apps.values()) {
      client.close();
      await ready.catch(() => {});
      await server.close();
    }
    this.#apps.clear();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #app(app: Manifest): { client: RpcClient } {
    let entry = this.#apps.get(app.versionHash);
    if (entry === undefined) {
      const server = new RpcServer({
        deployment: this.#deployment,
        version: app.versionHash,
        id: "server",
        handler: componentHandler(app, this.#local),
        deadlineReason: () => new DeadlineExceededError(),
        cancelReason: () => new CancelledError(),
      });
      const path = join(this.#dir, `${this.#apps.size}.sock`);
      const client = new RpcClient({ deployment: this.#deployment, version: app.versionHash, id: "client" });
      client.setReplicas([{ id: "server", address: { path } }]);
      // The client waits for the replica until the call's deadline, so calls may start before
      // the server listens.
      const ready = server.listen({ path }).then(() => undefined);
      entry = { server, client, ready };
      this.#apps.set(app.versionHash, entry);
    }
    return entry;
  }
}
