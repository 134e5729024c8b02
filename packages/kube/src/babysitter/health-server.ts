/**
 * The babysitter's HTTP server, which the kubelet probes and Prometheus scrapes:
 * - GET /healthz: 200 while the replica process is alive, else 503 (liveness: the kubelet restarts
 *   the container);
 * - GET /readyz: 200 once the replica is ready and the pod watch has listed its peers, else 503
 *   with the reason (readiness: the pod takes traffic, and its peers route to it, only then);
 * - GET /metrics: the replica's metrics in the Prometheus text format 0.0.4.
 * Anything else is 404. It serves no secrets and changes nothing, so it needs no token.
 */
import { createServer, type Server } from "node:http";

/** What the health server asks the babysitter. */
export interface HealthSource {
  /** Whether the replica process runs. */
  alive(): boolean;
  /** Why the pod is not ready, or undefined when it is. */
  notReady(): string | undefined;
  /** The replica's metrics as Prometheus text; rejects when the replica does not answer. */
  metrics(): Promise<string>;
}

/** The running health server. */
export class HealthServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on host:port. */
  static async start(host: string, port: number, source: HealthSource): Promise<HealthServer> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const reply = (code: number, body: string, type = "text/plain; charset=utf-8"): void => {
        res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      };
      if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "only GET\n");
      if (path === "/healthz") return source.alive() ? reply(200, "ok\n") : reply(503, "the replica process is not running\n");
      if (path === "/readyz") {
        const why = source.notReady();
        return why === undefined ? reply(200, "ready\n") : reply(503, `not ready: ${why}\n`);
      }
      if (path === "/metrics") {
        source.metrics().then(
          (text) => reply(200, text, "text/plain; version=0.0.4; charset=utf-8"),
          (e: unknown) => reply(503, `the replica's metrics are unavailable: ${(e as Error).message}\n`),
        );
        return;
      }
      reply(404, "not found: this server has /healthz, /readyz and /metrics\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new HealthServer(server);
  }

  /** Stops serving. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
