// The front of a listener, in front of two plain servers standing for two versions: HTTP split
// per request (a keep-alive client is not pinned), WebSocket-style upgrades and raw TCP per
// connection, and a GET that a version fails to answer is answered by the other.
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Front } from "./front.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A version: answers HTTP with its name (a broken one drops every request), upgrades to an echo prefixed with it, raw data likewise. */
async function version(name: string): Promise<string> {
  const server = http.createServer((req, res) => {
    if (name === "broken") req.socket.destroy();
    else res.end(name);
  });
  server.on("upgrade", (_req, socket: net.Socket) => {
    socket.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n");
    socket.on("data", (d) => socket.write(`${name}:${String(d)}`));
  });
  const raw = net.createServer((s) => s.on("data", (d) => s.end(`${name}:${String(d)}`)));
  // One port for both: the first bytes say which server takes the connection.
  const front = net.createServer((s) =>
    s.once("data", (d) => {
      s.pause();
      s.unshift(d);
      (String(d).startsWith("GET") ? server : raw).emit("connection", s);
      s.resume();
    }),
  );
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
  });
  return `127.0.0.1:${(front.address() as net.AddressInfo).port}`;
}

async function frontOf(targets: Record<string, number>): Promise<number> {
  const front = new Front("lis");
  const address = await front.listen("127.0.0.1:0");
  for (const [name, target] of Object.entries(targets)) front.add(name, await version(name), target);
  closers.push(() => front.close());
  return Number(address.split(":").at(-1));
}

function get(port: number, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += String(d))).on("end", () => resolve(`${res.statusCode} ${body}`));
      })
      .on("error", reject);
  });
}

function rawLine(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const s = net.connect({ host: "127.0.0.1", port }, () => s.write(text));
    s.on("data", (d) => (got += String(d)))
      .on("end", () => resolve(got))
      .on("error", reject);
  });
}

describe("Front", () => {
  it("splits a keep-alive client's requests between versions by their target shares", async () => {
    const port = await frontOf({ v1: 0.75, v2: 0.25 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answers: string[] = [];
    for (let i = 0; i < 100; i++) answers.push(await get(port, agent));
    agent.destroy();
    expect(answers.filter((a) => a === "200 v2").length).toBe(25);
    expect(answers.filter((a) => a === "200 v1").length).toBe(75);
  });

  it("sends upgrades and raw TCP to one version per connection", async () => {
    const port = await frontOf({ v1: 0.5, v2: 0.5 });
    const raws = [await rawLine(port, "a"), await rawLine(port, "b")];
    expect(raws.map((r) => r.split(":")[0]).sort()).toEqual(["v1", "v2"]);
    expect(raws.map((r) => r.split(":")[1]).sort()).toEqual(["a", "b"]);
    const upgraded = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port }, () =>
        s.write("GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n"),
      );
      let got = "";
      s.on("data", (d) => {
        got += String(d);
        if (got.includes("\r\n\r\n") && !got.includes("ping")) s.write("ping");
        if (/:ping$/.test(got)) {
          s.destroy();
          resolve(got);
        }
      }).on("error", reject);
    });
    expect(upgraded).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*\r\n\r\nv[12]:ping$/);
  });

  it("answers a GET from the other version when the chosen one fails before answering", async () => {
    const port = await frontOf({ broken: 0.5, v1: 0.5 });
    const agent = new http.Agent({ keepAlive: true });
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(port, agent)));
    agent.destroy();
    expect(answers).toEqual(Array(10).fill("200 v1"));
  });
});
