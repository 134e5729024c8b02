// A listener on a socket inherited from a deployer (shared with the listener's other replicas):
// closing it stops this process accepting and drains its HTTP server without dropping a request.
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bindListener, listener } from "./listener.js";

/** A bound, not listening, socket, as the multi deployer makes one (see shared-listener.ts in @weaver/multi). */
interface Handle {
  readonly fd: number;
  getsockname(out: { port?: number }): number;
  close(): void;
}
const createServerHandle = (net as unknown as { _createServerHandle: (...a: unknown[]) => Handle })._createServerHandle;

const handles: Handle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
});

function get(port: number, agent: http.Agent): Promise<{ connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, agent }, (res) => {
        let body = "";
        res.on("data", (d) => (body += String(d)));
        res.once("end", () => resolve({ connection: res.headers.connection, body }));
      })
      .once("error", reject);
  });
}

/** A listener bound to a fresh inherited socket; its port. */
async function inherited(): Promise<{ lis: ReturnType<typeof listener>; port: number }> {
  const handle = createServerHandle("127.0.0.1", 0, 4, undefined, 0);
  handles.push(handle);
  const out: { port?: number } = {};
  handle.getsockname(out);
  const port = out.port as number;
  const lis = listener("lis");
  await bindListener(lis, "lis", { host: "127.0.0.1", port }, `127.0.0.1:${port}`, handle.fd);
  return { lis, port };
}

describe("a listener on an inherited socket", () => {
  it("closes at once a connection that has sent nothing, as a browser's preconnected socket, instead of waiting for it", async () => {
    const { lis, port } = await inherited();
    const server = http.createServer((_req, res) => res.end("ok"));
    server.listen(lis);
    const idle = net.connect(port, "127.0.0.1");
    const ended = new Promise((resolve) => idle.once("close", resolve));
    try {
      await new Promise((r) => idle.once("connect", r));
      await new Promise((r) => setTimeout(r, 50)); // accepted by now
      const began = Date.now();
      await lis.close();
      await ended;
      // Without closing it, the drain waits its 10 s (the server's request timeout is minutes).
      expect(Date.now() - began).toBeLessThan(2_000);
    } finally {
      idle.destroy();
      server.close();
    }
  });

  it("answers the requests under way when it closes, the next one with Connection: close, and only then resolves", async () => {
    const { lis, port } = await inherited();
    expect(lis.address).toBe(`127.0.0.1:${port}`);
    expect(lis.port).toBe(port);
    let n = 0;
    const server = http.createServer((_req, res) => setTimeout(() => res.end(`answer ${++n}`), 100));
    server.listen(lis);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent)).toEqual({ connection: "keep-alive", body: "answer 1" });
      const underWay = get(port, agent);
      const next = get(port, agent); // queued on the same keep-alive connection
      await new Promise((r) => setTimeout(r, 30));
      let closed = false;
      const closing = lis.close().then(() => (closed = true));
      expect(await underWay).toEqual({ connection: "keep-alive", body: "answer 2" });
      expect(await next).toEqual({ connection: "close", body: "answer 3" });
      await closing;
      expect(closed).toBe(true);
      expect(server.listening).toBe(false);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
