/**
 * GET requests to status servers (node:http rather than fetch, so that callers see the socket
 * error codes, such as ECONNREFUSED for a deployment that is gone, and no connection outlives the
 * request).
 */
import { request } from "node:http";

/**
 * GETs a URL and resolves to the body of a 200 answer; rejects on anything else, or after
 * `timeoutMs`. With a token, sends it as `Authorization: Bearer <token>`.
 */
export function httpGet(url: URL, timeoutMs: number, token?: string): Promise<string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`HTTP status ${res.statusCode}${body.trim() === "" ? "" : `: ${body.trim().slice(0, 300)}`}`));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
