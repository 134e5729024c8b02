// Server stubs over a real socket: a call whose arguments do not match the declared parameter
// types is refused with BAD_REQUEST before the implementation runs, on a connection that stays
// up; a reply that does not match the declared result type is refused at the client.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RpcClient, RpcError, RpcServer, SystemCode, privateSocketDir } from "@weaver/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getComponent, registerApp } from "../generated/registry.js";
import { CODEGEN_VERSION } from "../version.js";
import { CancelledError, DeadlineExceededError, RemoteCallError } from "./call-errors.js";
import { Codec } from "./codec.js";
import { componentHandler } from "./component-server.js";
import { methodId, remoteCalls } from "./remote-calls.js";
import { checkArgs, mismatch, within } from "./value-checks.js";

interface Cart {
  add(name: string, qty: number): Promise<number>;
  total(): Promise<number>;
}

/** An implementation that records what reached it, and whose total() can be made to lie about its type. */
class CartImpl implements Cart {
  readonly added: [unknown, unknown][] = [];
  wrongTotal = false;
  async add(name: string, qty: number): Promise<number> {
    this.added.push([name, qty]);
    return this.added.length;
  }
  async total(): Promise<number> {
    return (this.wrongTotal ? String(this.added.length) : this.added.length) as number;
  }
}

const NAME = "example/Cart";
const number = (v: unknown): boolean => typeof v === "number" || mismatch("number", v);
registerApp({
  codegenVersion: CODEGEN_VERSION,
  manifest: JSON.stringify({
    app: "example",
    codegenVersion: CODEGEN_VERSION,
    versionHash: "example-checks-1",
    components: [
      {
        name: NAME,
        short: "example.Cart",
        impl: "CartImpl",
        source: "src/cart.ts",
        methods: [
          { name: "add", retriable: true },
          { name: "total", retriable: true },
        ],
        refs: [],
        listeners: [],
        config: null,
      },
    ],
    callGraph: [],
  }),
  components: [
    {
      name: NAME,
      impl: CartImpl,
      structures: [],
      localStub: (impl: Cart) => impl,
      clientStub: (calls) => ({
        add: (name: string, qty: number) => calls.call(0, [name, qty]) as Promise<number>,
        total: () => calls.call(1, []) as Promise<number>,
      }),
      serverStub: (impl: Cart) => [(a) => impl.add(a[0] as string, a[1] as number), () => impl.total()],
      // What weaver generate writes for these two methods.
      checks: [
        {
          args: (a) =>
            checkArgs(a, 2) && (typeof a[0] === "string" || mismatch("string", a[0]) || within("name")) && (number(a[1]) || within("qty")),
          result: number,
        },
        { args: (a) => checkArgs(a, 0), result: number },
      ],
    },
  ],
});

const dir = privateSocketDir("weaver-checks-");
const impl = new CartImpl();
let server: RpcServer;
let client: RpcClient;
const component = getComponent(NAME);

beforeAll(async () => {
  server = new RpcServer({
    deployment: "checks",
    version: component.app.versionHash,
    id: "server",
    handler: componentHandler(component.app, (name) => (name === NAME ? Promise.resolve({ impl }) : undefined)),
    deadlineReason: () => new DeadlineExceededError(),
    cancelReason: () => new CancelledError(),
  });
  const path = join(dir, "cart.sock");
  await server.listen({ path });
  client = new RpcClient({ deployment: "checks", version: component.app.versionHash, id: "client" });
  client.setReplicas([{ id: "server", address: { path } }]);
});
afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a remote call", () => {
  it("whose argument has the wrong type is refused with BAD_REQUEST before the implementation runs, and the connection stays up", async () => {
    const cart = component.registration.clientStub(remoteCalls(component, client)) as Cart;
    expect(await cart.add("pear", 1)).toBe(1);
    // Encoded by hand, as a hostile or buggy peer would: an object where a string is declared.
    const payload = new Codec(component.registration.structures).encode([{ toString: "apple" }, 2]);
    const refused = await client.call(methodId(0, 0), payload, { retriable: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcError);
    expect((refused as RpcError).kind).toBe("system");
    expect((refused as RpcError).code).toBe(SystemCode.BAD_REQUEST);
    expect((refused as RpcError).message).toBe("replica server: argument name of example/Cart.add: expected string, got object");
    const tooMany = await client
      .call(methodId(0, 0), new Codec().encode(["apple", 2, "extra"]), { retriable: false })
      .catch((e: unknown) => e);
    expect((tooMany as RpcError).message).toBe("replica server: arguments of example/Cart.add: expected at most 2, got 3");
    const badQty = await client.call(methodId(0, 0), new Codec().encode(["apple", "2"]), { retriable: false }).catch((e: unknown) => e);
    expect((badQty as RpcError).message).toBe("replica server: argument qty of example/Cart.add: expected number, got string");
    // Nothing bad reached the implementation; later calls on the same connection work.
    expect(await cart.add("plum", 3)).toBe(2);
    expect(impl.added).toEqual([
      ["pear", 1],
      ["plum", 3],
    ]);
    expect(server.stats.accepted).toBe(1);
    expect(server.stats.protocolErrors).toBe(0);
  });

  it("whose result has the wrong type is refused at the client with a RemoteCallError", async () => {
    const cart = component.registration.clientStub(remoteCalls(component, client)) as Cart;
    impl.wrongTotal = true;
    try {
      const e = await cart.total().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RemoteCallError);
      expect((e as RemoteCallError).message).toBe(
        "call to example/Cart.total failed: result of example/Cart.total: expected number, got string",
      );
    } finally {
      impl.wrongTotal = false;
    }
    expect(typeof (await cart.total())).toBe("number");
  });
});
