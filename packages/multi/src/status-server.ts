/**
 * The status server of a running deployment: HTTP on 127.0.0.1 (a free port), registered in the
 * per-user registry so that `weaver multi status`, the dashboard and scripts find it.
 *
 *   GET /status   the DeploymentStatus, as JSON
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { DeploymentStatus } from "@weaver/runtime";

/** Serves a deployment's status. */
export class StatusServer {
  readonly #server: http.Server;

  constructor(status: () => DeploymentStatus) {
    this.#server = http.createServer((req, res) => {
      if (req.method === "GET" && (req.url === "/status" || req.url?.startsWith("/status?"))) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(status()));
        return;
      }
      res.statusCode = 404;
      res.end("not found: the status server answers GET /status\n");
    });
  }

  /** Listens on 127.0.0.1 and returns the base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Stops serving. */
  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
