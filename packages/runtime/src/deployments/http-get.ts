/**
 * GET requests to status servers (node:http rather than fetch, so that callers see the socket
 * error codes, such as ECONNREFUSED for a deployment that is gone, and no connection outlives the
 * request).
 */
import { request } from "node:http";

/** GETs a URL and resolves to the body of a 200 answer; rejects on anything else, or after `timeoutMs`. */
export function httpGet(url: URL, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", timeout: timeoutMs, headers: { accept: "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks).toString("utf8"));
        else reject(new Error(`HTTP status ${res.statusCode}`));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
