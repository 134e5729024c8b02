/**
 * HTTP/JSON calls between the baseline's services, as a Node team would write them without a
 * framework: a service answers `POST /<method>` whose body is the JSON array of the arguments with
 * the JSON of the result (200), or of the error (500: {name, message, reason}); a client is an
 * object of the service's interface whose methods send such requests over a keep-alive agent.
 */
import http from "node:http";

/** The methods of a service, by name. */
export type Methods = Record<string, (...args: never[]) => Promise<unknown>>;

/** Serves `impl`'s methods on `port` (0: a free one) of 127.0.0.1; resolves with the port. */
export function serveMethods(impl: object, port: number): Promise<number> {
  const methods = impl as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const server = http.createServer({ keepAliveTimeout: 30_000 }, async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const name = (req.url ?? "/").slice(1);
    const method = methods[name];
    try {
      if (req.method !== "POST" || typeof method !== "function") throw new Error(`no method ${req.method} ${req.url}`);
      const result = await method.apply(impl, JSON.parse(body || "[]") as unknown[]);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(result === undefined ? "null" : JSON.stringify(result));
    } catch (e) {
      const err = e as Error & { reason?: string };
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: err.name, message: err.message, reason: err.reason }));
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

const agent = new http.Agent({ keepAlive: true });

/** A client of the service at `port` of 127.0.0.1, typed as its interface T. */
export function client<T extends object>(port: number): T {
  return new Proxy({} as T, {
    get(_target, name) {
      // Not a thenable: an awaited client must not look like a Promise.
      if (typeof name !== "string" || name === "then") return undefined;
      return (...args: unknown[]) => call(port, name, args);
    },
  });
}

function call(port: number, method: string, args: unknown[]): Promise<unknown> {
  const payload = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: `/${method}`,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          try {
            const value = JSON.parse(body) as unknown;
            if (res.statusCode === 200) return resolve(value === null ? undefined : value);
            const e = value as { name: string; message: string; reason?: string };
            reject(Object.assign(new Error(e.message), { name: e.name, reason: e.reason }));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.once("error", reject);
    req.end(payload);
  });
}
