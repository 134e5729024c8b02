// Mutual TLS by default is a property of the transport: off on private Unix sockets, on over TCP.
import { describe, expect, it } from "vitest";
import { mtlsByDefault } from "./transport-security.js";

describe("mtlsByDefault", () => {
  it("is off for Unix sockets and on for TCP, whatever the host", () => {
    expect(mtlsByDefault("unix:/run/user/1000/weaver-multi-x/0-0.sock")).toBe(false);
    expect(mtlsByDefault("tcp:127.0.0.1:9000")).toBe(true);
    expect(mtlsByDefault("tcp:[::1]:9000")).toBe(true);
    expect(mtlsByDefault("tcp:replica-0.bank.svc:9000")).toBe(true);
    expect(() => mtlsByDefault("udp:1.2.3.4:5")).toThrow("udp:1.2.3.4:5 is not unix:<path> or tcp:<host>:<port>");
  });
});
