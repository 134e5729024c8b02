import { afterEach, describe, expect, it } from "vitest";
import { Endpoint, type EndpointOptions } from "./endpoint.js";
import { RpcError } from "./errors.js";
import { encodeRequestHead } from "./frames.js";
import { Cleanup, DEPLOYMENT, VERSION, gate, socketDir, startServer, until } from "./harness.test.util.js";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from "./protocol.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function options(changes: string[]): EndpointOptions {
  return {
    hello: { protocol: PROTOCOL_VERSION, deployment: DEPLOYMENT, version: VERSION, peer: "endpoint-test", maxFrameBytes: MAX_FRAME_BYTES },
    maxFrameBytes: MAX_FRAME_BYTES,
    connectTimeoutMs: 1_000,
    tls: undefined,
    changed: () => changes.push("changed"),
  };
}

const head = (): Buffer => encodeRequestHead({ method: 1, timeoutMs: 0, traceparent: undefined, metadata: undefined });

/** Sends a call on `endpoint`; settles with a copy of its reply. */
function send(endpoint: Endpoint, payload: Buffer, deadline: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    endpoint.call(head(), payload, { deadline, reply: (r) => resolve(Buffer.from(r.bytes)), fail: reject }),
  );
}

describe("Endpoint", () => {
  it("refuses to send, at once and unsent, unless its connection is ready", () => {
    const endpoint = new Endpoint("e", { path: "/nonexistent/e.sock" }, options([]));
    const waiter = { deadline: Date.now() + 1000, reply: () => {}, fail: () => {} };
    expect(() => endpoint.call(head(), Buffer.alloc(0), waiter)).toThrow(RpcError);
    expect(() => endpoint.call(head(), Buffer.alloc(0), waiter)).toThrow(/is idle/);
    expect(endpoint.outstanding).toBe(0);
    expect(endpoint.pending).toBe(0);
  });

  it("reports state changes, learns the server's frame limit, and expires calls past their deadline", async () => {
    const hold = gate();
    const { path } = await startServer(
      cleanup,
      socketDir(cleanup),
      async (p) => {
        await hold.promise;
        return p;
      },
      { maxFrameBytes: 50_000 },
    );
    const changes: string[] = [];
    const endpoint = new Endpoint("e", { path }, options(changes));
    cleanup.add(() => endpoint.close());
    await endpoint.connect();
    expect(endpoint.state).toBe("ready");
    expect(endpoint.maxFrameBytes).toBe(50_000);
    expect(changes).toEqual(["changed"]);
    const now = Date.now();
    const early = send(endpoint, Buffer.from("a"), now + 10);
    const late = send(endpoint, Buffer.from("b"), now + 60_000);
    expect(endpoint.outstanding).toBe(2);
    expect(endpoint.expire(now)).toBe(now + 10); // none expired yet; the earliest deadline
    expect(endpoint.expire(now + 10)).toBe(now + 60_000);
    await expect(early).rejects.toMatchObject({ kind: "deadline", endpoint: "e" });
    expect(endpoint.outstanding).toBe(1);
    hold.open();
    expect((await late).toString()).toBe("b");
    expect(endpoint.expire(Date.now())).toBe(Infinity);
  });

  it("closes once retired and its last call is answered", async () => {
    const hold = gate();
    const { server, path } = await startServer(cleanup, socketDir(cleanup), async (p) => {
      await hold.promise;
      return p;
    });
    const endpoint = new Endpoint("e", { path }, options([]));
    await endpoint.connect();
    const call = send(endpoint, Buffer.from("last"), Date.now() + 5_000);
    endpoint.retire();
    expect(endpoint.connectable).toBe(false);
    await until(() => server.stats.inFlight === 1);
    expect(endpoint.state).toBe("ready");
    hold.open();
    expect((await call).toString()).toBe("last");
    await until(() => endpoint.state === "closed");
    expect(endpoint.connectable).toBe(false); // retired for good
  });
});
