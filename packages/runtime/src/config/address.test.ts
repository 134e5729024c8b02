import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "./address.js";

describe("parseAddress", () => {
  it.each([
    ["localhost:8080", { host: "localhost", port: 8080 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    [":0", { host: "", port: 0 }],
    [":65535", { host: "", port: 65535 }],
    ["[::1]:80", { host: "::1", port: 80 }],
    ["[::]:9000", { host: "::", port: 9000 }],
    ["my-host.example.com:443", { host: "my-host.example.com", port: 443 }],
  ])("reads %s", (text, address) => {
    expect(parseAddress(text)).toEqual(address);
  });

  it.each(["localhost", "8080", "", "localhost:", "localhost:http", "::1:80", "host:123456", "a:b:1", "[::1]80", "host:-1"])(
    "refuses %j with a message naming the form",
    (text) => {
      expect(parseAddress(text)).toBe(`"${text}" is not an address of the form host:port (e.g. "localhost:8080" or ":0")`);
    },
  );

  it("refuses ports above 65535", () => {
    expect(parseAddress("localhost:65536")).toBe('port 65536 in "localhost:65536" is larger than 65535');
  });
});

describe("formatAddress", () => {
  it("writes IPv4 and names as host:port and IPv6 in brackets", () => {
    expect(formatAddress("127.0.0.1", 8080)).toBe("127.0.0.1:8080");
    expect(formatAddress("localhost", 1)).toBe("localhost:1");
    expect(formatAddress("::1", 80)).toBe("[::1]:80");
    expect(formatAddress("::", 9000)).toBe("[::]:9000");
  });

  it("round-trips with parseAddress", () => {
    for (const [host, port] of [
      ["10.0.0.1", 5],
      ["::1", 6],
      ["", 7],
    ] as const) {
      expect(parseAddress(formatAddress(host, port))).toEqual({ host, port });
    }
  });
});
