import { describe, expect, it } from "vitest";
import { Routing } from "./routing.js";

describe("Routing", () => {
  it("versions each routed component's members, changing the version only when they change", () => {
    const routing = new Routing();
    routing.assign("app/Cart", ["cart/0", "cart/1"]);
    const first = routing.version;
    routing.assign("app/Cart", ["cart/0", "cart/1"]);
    expect(routing.version).toBe(first);
    expect(routing.assignmentsFor(["app/Cart", "app/Other"])).toEqual({ "app/Cart": { version: 1, members: ["cart/0", "cart/1"] } });
    routing.assign("app/Cart", ["cart/0", "cart/1", "cart/2"]);
    expect(routing.version).toBe(first + 1);
    expect(routing.assignmentsFor(["app/Cart"])).toEqual({ "app/Cart": { version: 2, members: ["cart/0", "cart/1", "cart/2"] } });
    expect(routing.assignmentsFor(["app/Other"])).toBeUndefined();
  });

  it("answers a watch with the assignments of the routed components among its routes only", async () => {
    const routing = new Routing();
    routing.assign("app/Cart", ["cart/0"]);
    const reply = await routing.watch(-1, () => ({ "app/Cart": [{ id: "r1", address: "unix:/c0", member: "cart/0" }], "app/Plain": [] }));
    expect(reply.assignments).toEqual({ "app/Cart": { version: 1, members: ["cart/0"] } });
    expect(await routing.watch(-1, () => ({ "app/Plain": [] }))).toEqual({ version: routing.version, routes: { "app/Plain": [] } });
  });
});
