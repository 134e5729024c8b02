import { RpcClient } from "@weaver/rpc";
import { afterEach, describe, expect, it } from "vitest";
import { ClientRoutes } from "./client-routes.js";

const clients: RpcClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe("ClientRoutes", () => {
  it("gives a routed component's client a KeyAssignment, built again only when its version or members change", () => {
    const client = new RpcClient({ deployment: "d", version: "v", id: "caller" });
    clients.push(client);
    const routes = new ClientRoutes();
    const entries = [{ id: "r1", address: "unix:/tmp/never-0.sock", member: "cart/0" }];
    routes.apply(client, "app/Cart", entries, { version: 1, members: ["cart/0", "cart/1"] });
    const first = client.assignment;
    expect(first?.members).toEqual(["cart/0", "cart/1"]);
    expect(first?.version).toBe(1);
    // Only the live replicas changed: the same assignment.
    routes.apply(client, "app/Cart", [...entries, { id: "r2", address: "unix:/tmp/never-1.sock", member: "cart/1" }], {
      version: 1,
      members: ["cart/0", "cart/1"],
    });
    expect(client.assignment).toBe(first);
    routes.apply(client, "app/Cart", entries, { version: 2, members: ["cart/0", "cart/1", "cart/2"] });
    expect(client.assignment).not.toBe(first);
    expect(client.assignment?.members).toEqual(["cart/0", "cart/1", "cart/2"]);
    // A deployer that stops routing it: calls are balanced again.
    routes.apply(client, "app/Cart", entries, undefined);
    expect(client.assignment).toBeUndefined();
  });
});
