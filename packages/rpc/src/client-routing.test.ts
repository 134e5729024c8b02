// Routed calls of RpcClient against real servers over Unix sockets: a key goes to its owner's
// replica, the same from every caller; a member that is down has its keys served by their
// runner-up until it returns; a retried routed call goes to the same replica first; unrouted
// calls are balanced as before.
import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RpcClient } from "./client.js";
import type { CallOptions } from "./client-options.js";
import { RpcError } from "./errors.js";
import { Cleanup, gate, newClient, socketDir, startServer } from "./harness.test.util.js";
import { KeyAssignment, hashKey } from "./key-assignment.js";
import type { Handler } from "./server.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MEMBERS = ["cart/0", "cart/1", "cart/2"];
const assignment = new KeyAssignment(MEMBERS, 1);

/** Replicas r0..r2 of members cart/0..cart/2; each answers its own id and counts what it serves. */
async function group(handler: (id: string) => Handler | undefined = () => undefined) {
  const dir = socketDir(cleanup);
  const served: Record<string, number> = {};
  const list = [];
  for (let i = 0; i < MEMBERS.length; i++) {
    const id = `r${i}`;
    served[id] = 0;
    const inner = handler(id);
    const { server, path } = await startServer(
      cleanup,
      dir,
      (p, c) => {
        served[id]!++;
        return inner === undefined ? Promise.resolve(Buffer.from(id)) : inner(p, c);
      },
      { id },
    );
    list.push({ id, member: MEMBERS[i]!, server, path, address: { path } });
  }
  return { dir, served, list };
}

/** The replica id of a member of group(). */
const replicaOf = (member: string | undefined): string => `r${MEMBERS.indexOf(member as string)}`;

/** A key (and its hash) that `member` owns. */
function keyOwnedBy(member: string, skip = 0): { key: string; hash: number } {
  for (let i = 0, found = 0; ; i++) {
    const key = `user-${i}`;
    const hash = hashKey(key);
    if (assignment.owner(hash) === member && found++ === skip) return { key, hash };
  }
}

const routed = (hash: number, more: Partial<CallOptions> = {}): CallOptions => ({ retriable: true, key: hash, ...more });

async function answer(client: RpcClient, options: CallOptions, payload = ""): Promise<string> {
  return (await client.call(1, Buffer.from(payload), options)).toString();
}

/**
 * A Unix socket proxy in front of a replica: `cut()` breaks every connection through it (as a
 * network failure would) while it keeps listening; `close()` stops it, so the replica is gone.
 */
async function proxy(target: string, path: string) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(target);
    for (const [a, b] of [
      [down, up],
      [up, down],
    ] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  const close = (): void => {
    server.close();
    cut();
  };
  cleanup.add(close);
  return { cut, close };
}

describe("routed calls", () => {
  it("go to the replica of the key's owner, the same from every caller, and spread keys over the replicas", async () => {
    const { list, served } = await group();
    const a = newClient(cleanup, { id: "caller-a" });
    const b = newClient(cleanup, { id: "caller-b" });
    a.setReplicas(list, assignment);
    b.setReplicas([...list].reverse(), assignment);
    const keysOf: Record<string, number> = { r0: 0, r1: 0, r2: 0 };
    for (let i = 0; i < 300; i++) {
      const hash = hashKey(`user-${i}`);
      const owner = replicaOf(assignment.owner(hash));
      const answers = [await answer(a, routed(hash)), await answer(b, routed(hash)), await answer(a, routed(hash))];
      expect(answers).toEqual([owner, owner, owner]);
      keysOf[owner]!++;
    }
    // About a third each (rendezvous hashing over 4096 slots); every replica holds some keys.
    for (const id of ["r0", "r1", "r2"]) expect(keysOf[id]).toBeGreaterThan(60);
    expect(served).toEqual({ r0: keysOf["r0"]! * 3, r1: keysOf["r1"]! * 3, r2: keysOf["r2"]! * 3 });
  });

  it("leave unrouted calls balanced as before, on the same client", async () => {
    const { list, served } = await group();
    const client = newClient(cleanup, { balancer: "round-robin" });
    client.setReplicas(list, assignment);
    const { hash } = keyOwnedBy("cart/1");
    for (let i = 0; i < 30; i++) await client.call(1, Buffer.alloc(0), { retriable: true }); // connect every replica
    for (const id of Object.keys(served)) served[id] = 0;
    for (let i = 0; i < 300; i++) await client.call(1, Buffer.alloc(0), { retriable: true });
    expect(served).toEqual({ r0: 100, r1: 100, r2: 100 });
    for (let i = 0; i < 30; i++) expect(await answer(client, routed(hash))).toBe("r1");
  });

  it("are balanced when the client has no assignment, or no replica carries a member of it", async () => {
    const { list, served } = await group();
    const { hash } = keyOwnedBy("cart/0");
    const plain = newClient(cleanup, { balancer: "round-robin" });
    plain.setReplicas(list);
    const memberless = newClient(cleanup, { balancer: "round-robin" });
    memberless.setReplicas(
      list.map(({ id, address }) => ({ id, address })),
      assignment,
    );
    for (let i = 0; i < 60; i++) {
      await answer(plain, routed(hash));
      await answer(memberless, routed(hash));
    }
    for (const id of ["r0", "r1", "r2"]) expect(served[id]).toBeGreaterThan(10);
  });

  it("of a member that is down go to the key's runner-up, and come back when it returns on its address", async () => {
    const { dir, list } = await group();
    const client = newClient(cleanup);
    client.setReplicas(list, assignment);
    const { hash } = keyOwnedBy("cart/0");
    const runnerUp = replicaOf(assignment.pick(hash, (m) => m !== "cart/0"));
    expect(await answer(client, routed(hash))).toBe("r0");
    await list[0]!.server.close();
    // Every call succeeds while r0 is down; the same caller keeps using the same runner-up.
    for (let i = 0; i < 20; i++) expect(await answer(client, routed(hash, { deadline: Date.now() + 5_000 }))).toBe(runnerUp);
    await startServer(cleanup, dir, async () => Buffer.from("r0 again"), { id: "r0" });
    // Its connection backs off; the key returns once the client reaches it again, every call answered.
    for (const deadline = Date.now() + 10_000; (await answer(client, routed(hash))) !== "r0 again"; ) {
      if (Date.now() > deadline) throw new Error("the key did not come back to r0");
      await new Promise((r) => setTimeout(r, 10));
    }
    for (let i = 0; i < 10; i++) expect(await answer(client, routed(hash))).toBe("r0 again");
  });

  it("of a member whose replica leaves the set go to the runner-up, and back to the replica that replaces it", async () => {
    const { dir, list } = await group();
    const client = newClient(cleanup);
    client.setReplicas(list, assignment);
    const { hash } = keyOwnedBy("cart/2");
    const runnerUp = replicaOf(assignment.pick(hash, (m) => m !== "cart/2"));
    expect(await answer(client, routed(hash))).toBe("r2");
    client.setReplicas(list.slice(0, 2), assignment);
    expect(await answer(client, routed(hash))).toBe(runnerUp);
    // The deployer restarts the slot: a new replica (id, socket) of the same member.
    const { path } = await startServer(cleanup, dir, async () => Buffer.from("r2b"), { id: "r2b" });
    client.setReplicas([...list.slice(0, 2), { id: "r2b", member: "cart/2", address: { path } }], assignment);
    expect(await answer(client, routed(hash))).toBe("r2b");
  });

  it("wait for the owner's replica to connect rather than go to one that is ready", async () => {
    const { list } = await group();
    const client = newClient(cleanup);
    client.setReplicas(list, assignment);
    for (const m of ["cart/0", "cart/1"]) await answer(client, routed(keyOwnedBy(m).hash));
    expect(client.replicas().map((r) => r.state)).toEqual(["ready", "ready", "idle"]);
    expect(await answer(client, routed(keyOwnedBy("cart/2").hash))).toBe("r2");
  });

  it("keep their deadline", async () => {
    const stuck = gate();
    cleanup.add(stuck.open);
    const { list } = await group((id) => (id === "r1" ? () => stuck.promise.then(() => Buffer.from("late")) : undefined));
    const client = newClient(cleanup);
    client.setReplicas(list, assignment);
    const { hash } = keyOwnedBy("cart/1");
    const e = await client.call(1, Buffer.alloc(0), routed(hash, { deadline: Date.now() + 200 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RpcError);
    expect((e as RpcError).kind).toBe("deadline");
  });
});

describe("retried routed calls", () => {
  /** group() with r0 behind a proxy; r0 breaks the connection of its first `breaks` "break" calls, and closes the proxy too when `gone`. */
  async function breaking(breaks: number, gone = false) {
    let front: Awaited<ReturnType<typeof proxy>> | undefined;
    let broken = 0;
    const g = await group((id) =>
      id !== "r0"
        ? undefined
        : async (p) => {
            if (p.bytes.toString() !== "break" || broken++ >= breaks) return Buffer.from(id);
            if (gone) front!.close();
            else front!.cut();
            return new Promise<Buffer>(() => {});
          },
    );
    front = await proxy(g.list[0]!.path, join(g.dir, "front.sock"));
    const client = newClient(cleanup);
    client.setReplicas([{ ...g.list[0]!, address: { path: join(g.dir, "front.sock") } }, ...g.list.slice(1)], assignment);
    const { hash } = keyOwnedBy("cart/0");
    return { ...g, client, hash, runnerUp: replicaOf(assignment.pick(hash, (m) => m !== "cart/0")) };
  }

  it("go to the same replica first when their connection broke", async () => {
    const { client, hash, served } = await breaking(1);
    expect(await answer(client, routed(hash), "break")).toBe("r0");
    expect(served).toEqual({ r0: 2, r1: 0, r2: 0 });
  });

  it("go to the key's runner-up when the replica is gone", async () => {
    const { client, hash, served, runnerUp } = await breaking(1, true);
    expect(await answer(client, routed(hash), "break")).toBe(runnerUp);
    expect(served).toMatchObject({ r0: 1, [runnerUp]: 1 });
  });

  it("go to the key's runner-up when the same replica failed them twice", async () => {
    const { client, hash, served, runnerUp } = await breaking(2);
    expect(await answer(client, routed(hash), "break")).toBe(runnerUp);
    expect(served).toMatchObject({ r0: 2, [runnerUp]: 1 });
    // The replica is still up: later calls of the key go to it again.
    expect(await answer(client, routed(hash))).toBe("r0");
  });

  it("are not sent again when not retriable", async () => {
    const { client, hash, served } = await breaking(1);
    const e = await client.call(1, Buffer.from("break"), routed(hash, { retriable: false })).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "connection", endpoint: "r0" });
    expect(served).toEqual({ r0: 1, r1: 0, r2: 0 });
  });
});
