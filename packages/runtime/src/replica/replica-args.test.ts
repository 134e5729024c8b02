import { describe, expect, it } from "vitest";
import { REPLICA_ENV, readReplicaArgs } from "./replica-args.js";

const good = {
  deployment: "d1",
  id: "r1",
  hosts: ["app/A"],
  listen: "unix:/tmp/r1.sock",
  routes: { "app/B": [{ id: "r2", address: "tcp:127.0.0.1:9000" }] },
  listeners: { lis: "127.0.0.1:0" },
};

function read(value: unknown): ReturnType<typeof readReplicaArgs> {
  return readReplicaArgs({ [REPLICA_ENV]: typeof value === "string" ? value : JSON.stringify(value) });
}

describe("readReplicaArgs", () => {
  it("is undefined outside a deployment, and reads valid arguments", () => {
    expect(readReplicaArgs({})).toBeUndefined();
    expect(readReplicaArgs({ [REPLICA_ENV]: "" })).toBeUndefined();
    expect(read(good)).toEqual(good);
    expect(read({ ...good, listenerFds: { lis: 4 } })).toEqual({ ...good, listenerFds: { lis: 4 } });
  });

  it("reads the members of routes and the assignments of routed components", () => {
    const routed = {
      ...good,
      routes: { "app/B": [{ id: "r2", address: "unix:/b0", member: "app.B/0" }] },
      assignments: { "app/B": { version: 3, members: ["app.B/0", "app.B/1"] } },
    };
    expect(read(routed)).toEqual(routed);
  });

  it.each<[string, unknown, RegExp]>([
    ["not JSON", "{deployment:", /not JSON/],
    ["not an object", "42", /not an object/],
    ["no id", { ...good, id: 7 }, /deployment and id must be strings/],
    ["hosts not names", { ...good, hosts: [1] }, /hosts must be a list/],
    ["a bad listen address", { ...good, listen: "/tmp/x.sock" }, /listen "\/tmp\/x.sock" is not unix/],
    ["routes not a map", { ...good, routes: null }, /routes must be an object/],
    ["routes not a list", { ...good, routes: { "app/B": {} } }, /routes of app\/B must be a list/],
    ["a bad route", { ...good, routes: { "app/B": [{ id: "r2", address: "127.0.0.1:9000" }] } }, /a route of app\/B is not/],
    [
      "a replica twice",
      {
        ...good,
        routes: {
          "app/B": [
            { id: "r2", address: "unix:/a" },
            { id: "r2", address: "unix:/b" },
          ],
        },
      },
      /name replica r2 twice/,
    ],
    ["an empty member", { ...good, routes: { "app/B": [{ id: "r2", address: "unix:/a", member: "" }] } }, /member of replica r2 of app\/B/],
    ["assignments not a map", { ...good, assignments: [] }, /assignments must map component names/],
    ["an assignment without a version", { ...good, assignments: { "app/B": { members: ["m"] } } }, /assignment of app\/B is not/],
    ["a member named twice", { ...good, assignments: { "app/B": { version: 1, members: ["m", "m"] } } }, /names a member twice/],
    ["listeners not a map", { ...good, listeners: ["127.0.0.1:0"] }, /listeners must be an object/],
    ["a listener address not a string", { ...good, listeners: { lis: 8080 } }, /listener lis must be/],
    [
      "an inherited listener fd that is stdio",
      { ...good, listenerFds: { lis: 1 } },
      /listenerFds must map listener names to file descriptor/,
    ],
    ["an inherited listener fd not a number", { ...good, listenerFds: { lis: "4" } }, /listenerFds must map/],
  ])("refuses %s, naming the variable", (_what, value, reason) => {
    expect(() => read(value)).toThrow(reason);
    expect(() => read(value)).toThrow(/WEAVER_REPLICA is not valid/);
  });
});
