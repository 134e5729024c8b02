import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatEndpoint, parseEndpoint, privateSocketDir, removeStaleSocket } from "./transport.js";

describe("endpoints", () => {
  it("parse and format unix and tcp addresses", () => {
    for (const text of ["unix:/run/w/a.sock", "tcp:127.0.0.1:8080", "tcp:[::1]:0", "tcp:host.example:65535"]) {
      const address = parseEndpoint(text);
      expect(address, text).toBeDefined();
      expect(formatEndpoint(address!)).toBe(text);
    }
    expect(parseEndpoint("tcp:[::1]:9")).toEqual({ host: "::1", port: 9 });
    for (const bad of ["unix:", "tcp:host", "tcp::80", "tcp:h:123456", "http://x", "/path"])
      expect(parseEndpoint(bad), bad).toBeUndefined();
  });
});

describe("privateSocketDir", () => {
  it("makes a fresh folder only this user can enter", () => {
    const a = privateSocketDir("wtest-");
    const b = privateSocketDir("wtest-");
    try {
      expect(a).not.toBe(b);
      expect(statSync(a).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(a, { recursive: true });
      rmSync(b, { recursive: true });
    }
  });
});

describe("removeStaleSocket", () => {
  it("leaves alone what is not a socket, or is missing", async () => {
    const dir = privateSocketDir("wtest-");
    try {
      const file = join(dir, "plain-file");
      writeFileSync(file, "x");
      expect(await removeStaleSocket(file)).toBe(false);
      expect(statSync(file).isFile()).toBe(true);
      expect(await removeStaleSocket(join(dir, "missing"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
