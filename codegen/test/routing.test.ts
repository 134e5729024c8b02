// Routed calls through generated code: the "routers" fixture is generated and loaded, and its
// generated client stubs call three replicas (an RpcServer each with instances of its own, as
// three processes would have) through one RpcClient per component, as a weavelet does. The key
// functions the generator wrote pick the replica of each call; methods without a router method,
// and clients without an assignment, are balanced as before.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { KeyAssignment, RpcClient, RpcServer, hashKey, privateSocketDir, type RoutingKey } from "@weaver/rpc";
import { RemoteCallError, componentHandler, getComponent, methodId, remoteCalls, type RegisteredComponent } from "@weaver/runtime/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate } from "../src/index.js";
import { scratch, type Scratch } from "./support.js";
// Types only: the values come from the generated copy, loaded below.
import type { Cart } from "./fixtures/ok/routers/src/cart.js";
import type { Order, Orders, Region } from "./fixtures/ok/routers/src/orders.js";
import type { Notes, Tags } from "./fixtures/ok/routers/src/tags.js";

const MEMBERS = ["r/0", "r/1", "r/2"];
const assignment = new KeyAssignment(MEMBERS, 1);
const COMPONENTS = ["routers/Cart", "routers/Orders", "routers/Tags", "routers/Notes"];

let tmp: Scratch;
let sockets: string;
const servers: RpcServer[] = [];
const clients: RpcClient[] = [];
/** The method ids each replica served, by replica index. */
const served: number[][] = MEMBERS.map(() => []);
let replicas: { id: string; member: string; address: { path: string } }[];

beforeAll(async () => {
  tmp = scratch("ok/routers");
  const dir = tmp.app("ok", "routers");
  const result = generate([dir], { cwd: dir });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  await import(join(dir, "src", "weaver_gen.ts"));
  sockets = privateSocketDir("wroute-");
  const app = getComponent(COMPONENTS[0]!).app;
  replicas = [];
  for (let i = 0; i < MEMBERS.length; i++) {
    // Each replica has its own instance of every component, as a process of its own would.
    const instances = new Map<string, Promise<{ impl: object }>>(
      COMPONENTS.map((name) => [name, Promise.resolve({ impl: new (getComponent(name).registration.impl as new () => object)() })]),
    );
    const handler = componentHandler(app, (name) => instances.get(name));
    const server = new RpcServer({
      deployment: "routing-test",
      version: app.versionHash,
      id: `replica-${i}`,
      handler: (payload, call) => {
        served[i]!.push(call.method);
        return handler(payload, call);
      },
    });
    const path = join(sockets, `${i}.sock`);
    await server.listen({ path });
    servers.push(server);
    replicas.push({ id: `replica-${i}`, member: MEMBERS[i]!, address: { path } });
  }
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  rmSync(sockets, { recursive: true, force: true });
  tmp.dispose();
});

/** The generated client stub of a component, over a client of its own (routed when `routed`). */
function stub<T>(name: string, routed = true): { component: RegisteredComponent; remote: T } {
  const component = getComponent(name);
  const client = new RpcClient({ deployment: "routing-test", version: component.app.versionHash, id: "caller", balancer: "round-robin" });
  clients.push(client);
  client.setReplicas(replicas, routed ? assignment : undefined);
  return { component, remote: component.registration.clientStub(remoteCalls(component, client, { observe: false })) as T };
}

/** The replica index that owns a key. */
const ownerOf = (key: RoutingKey): number => MEMBERS.indexOf(assignment.owner(hashKey(key))!);

/** Runs `calls` and returns the replica indexes that served method `m` of `component` meanwhile. */
async function servedBy(component: RegisteredComponent, m: number, calls: () => Promise<unknown>): Promise<number[]> {
  const id = methodId(
    component.app.components.findIndex((c) => c.name === component.manifest.name),
    m,
  );
  const before = served.map((s) => s.length);
  await calls();
  return served.flatMap((s, i) => s.slice(before[i]).flatMap((method) => (method === id ? [i] : [])));
}

describe("generated client stubs of a component with a router", () => {
  it("send each user's calls to one replica, so every cart is whole", async () => {
    const { remote: cart } = stub<Cart>("routers/Cart");
    // Not a multiple of 3, or round-robin would keep each user on one replica by chance.
    const users = Array.from({ length: 32 }, (_, i) => `user-${i}`);
    for (let round = 0; round < 4; round++) for (const user of users) await cart.addItem(user, `sku-${round}`);
    for (const user of users) expect(await cart.getCart(user)).toEqual(["sku-0", "sku-1", "sku-2", "sku-3"]);

    // The same calls unrouted: round-robin splits each cart over the replicas.
    const { remote: unrouted } = stub<Cart>("routers/Cart", false);
    for (let round = 0; round < 4; round++) for (const user of users) await unrouted.addItem(`other-${user}`, `sku-${round}`);
    const whole = await Promise.all(users.map(async (user) => (await unrouted.getCart(`other-${user}`)).length === 4));
    expect(whole.filter(Boolean).length).toBeLessThan(users.length);
  });

  it("route by the key their router returns: an object key, a bigint key from rest parameters, the same for every method", async () => {
    const { component, remote: orders } = stub<Orders>("routers/Orders");
    const order = (user: number): Order => ({ region: "eu" as Region, user, items: ["tea"] });
    for (const user of [1, 2, 3, 4, 5, 6]) {
      const owner = ownerOf({ region: "eu", user });
      expect(await servedBy(component, 0, async () => Promise.all([1, 2, 3].map(() => orders.place(order(user), "note"))))).toEqual([
        owner,
        owner,
        owner,
      ]);
      // list carries the same key, so it reaches the same replica.
      expect(await servedBy(component, 1, () => orders.list("eu" as Region, user))).toEqual([owner]);
      expect(await servedBy(component, 2, () => orders["cancel-all"]("eu" as Region, user))).toEqual([owner]);
    }
    const { component: tagsComponent, remote: tags } = stub<Tags>("routers/Tags");
    for (const n of [1, 2, 3, 4]) {
      const owner = ownerOf(BigInt(n));
      const names = Array.from({ length: n }, (_, i) => `t${i}`);
      expect(await servedBy(tagsComponent, 0, () => Promise.all([tags.add(...names), tags.add(...names.map((t) => `${t}!`))]))).toEqual([
        owner,
        owner,
      ]);
    }
  });

  it("balance methods without a router method, and components without a router, as before", async () => {
    const { component, remote: cart } = stub<Cart>("routers/Cart");
    const spread = await servedBy(component, 2, async () => {
      for (let i = 0; i < 30; i++) await cart.stats();
    });
    expect([0, 1, 2].map((r) => spread.filter((x) => x === r).length)).toEqual([10, 10, 10]);
    const { component: notesComponent, remote: notes } = stub<Notes>("routers/Notes");
    const notesSpread = await servedBy(notesComponent, 0, async () => {
      for (let i = 0; i < 30; i++) await notes.note("n");
    });
    expect([0, 1, 2].map((r) => notesSpread.filter((x) => x === r).length)).toEqual([10, 10, 10]);
  });

  it("fail a call whose router throws, or returns no key, with a RemoteCallError naming the router method, unsent", async () => {
    const { component, remote: orders } = stub<Orders>("routers/Orders");
    const thrown = await servedBy(component, 0, async () => {
      const e = await orders.place(null as unknown as Order).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RemoteCallError);
      expect((e as Error).message).toMatch(
        /^call to routers\/Orders\.place failed: router method OrdersRouter\.place threw while computing the call's routing key \(.+\); the call was not sent, fix OrdersRouter\.place$/,
      );
    });
    expect(thrown).toEqual([]);
    const returned = await servedBy(component, 1, async () => {
      const e = await orders.list(undefined as unknown as Region, 1).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RemoteCallError);
      expect((e as Error).message).toMatch(
        /router method OrdersRouter\.list returned a value that is not a routing key \(a routing key is a number, string, bigint, boolean or a flat object of those, not undefined\); the call was not sent/,
      );
    });
    expect(returned).toEqual([]);
  });
});
