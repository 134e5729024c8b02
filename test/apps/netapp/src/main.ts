// Two listeners: `web` (HTTP, and WebSocket echo on /echo) and `tcp` (a line protocol that
// answers each line upper-cased, through the Upper component). Each answer names the process.
// GET /peer answers the client's port.
import http from "node:http";
import net from "node:net";
import { createInterface } from "node:readline";
import { WebSocketServer } from "ws";
import { Implements, listener, ref, run, type Main } from "@weaver/core";
import type { Upper } from "./upper.js";
import "./weaver_gen.js";

export class App extends Implements<Main>() {
  upper = ref<Upper>();
  web = listener();
  tcp = listener();

  async main(): Promise<void> {
    // /peer answers the client's port as this process sees it (a proxy in between would show its own).
    const server = http.createServer((req, res) =>
      res.end(req.url === "/peer" ? `${req.socket.remotePort}\n` : `hello from ${process.pid} (${req.url})\n`),
    );
    const wss = new WebSocketServer({ server, path: "/echo" });
    wss.on("connection", (socket) => socket.on("message", (data) => socket.send(`${process.pid}: ${String(data)}`)));
    server.listen(this.web);
    net
      .createServer((socket) => {
        socket.on("error", () => socket.destroy());
        createInterface({ input: socket }).on("line", (line) => {
          void this.upper
            .get()
            .upper(line)
            .then((up) => socket.write(`${process.pid}: ${up}\n`));
        });
      })
      .listen(this.tcp);
    console.log(`web on ${this.web}, tcp on ${this.tcp}`);
    // Tests of rollbacks set this: the process exits that long after it started, every time (a crash loop).
    const exitAfter = Number(process.env["NETAPP_EXIT_AFTER_MS"] ?? 0);
    if (exitAfter > 0) setTimeout(() => process.exit(1), exitAfter);
  }
}

await run(App);
