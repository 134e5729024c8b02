// Deployments that ended, as the dashboard finds them: no registration, only the log and trace
// files their deployer left under XDG_DATA_HOME. The index lists them and every page of one opens
// on what it stored, instead of "not found".
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogEntry, SpanRecord } from "@weaver/runtime";
import type { Dashboard } from "@weaver/runtime/tool";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startDashboard } from "./dashboard-server.js";

const NOW = Date.now();
const data = mkdtempSync(join(tmpdir(), "weaver-dashboard-past-"));
const savedXdg = process.env["XDG_DATA_HOME"];
let dashboard: Dashboard;

const entry = (msg: string, level = "info"): LogEntry => ({
  app: "oldshop",
  version: "v",
  component: "shop.Store",
  node: "cccccccc-3",
  time: NOW * 1000,
  level,
  file: "store.ts",
  line: 7,
  msg,
  attrs: { order: "42" },
});
const span = (spanId: string, parentSpanId: string, name: string, startMs: number, endMs: number): SpanRecord => ({
  traceId: "e".repeat(32),
  spanId,
  parentSpanId,
  name,
  kind: parentSpanId === "" ? "server" : "client",
  start: NOW * 1000 + startMs * 1000,
  end: NOW * 1000 + endMs * 1000,
  status: "ok",
  attributes: parentSpanId === "" ? { "http.request.method": "GET", "url.path": "/buy" } : {},
  events: [],
  resource: { app: "oldshop", deployment: "v", replica: "aaaaaaaa-1", pid: 12 },
});
const spans = [span("s1", "", "web", 0, 10), span("s2", "s1", "shop.Store.buy", 2, 8), span("s3", "s2", "shop.Store.buy", 3, 7)];

/** A deployment that ended: only its stored log and trace files are left, as a deployer leaves them. */
const ENDED = "feedbeef-0000-4000-8000-000000000000";
// Whole seconds: file times keep no finer grain on every file system.
const ENDED_AT = Math.floor(NOW / 1000) * 1000 - 3_600_000;
function storeEndedDeployment(): void {
  const dir = join(data, "weaver", "multi");
  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "traces"), { recursive: true });
  const old = (e: LogEntry): LogEntry => ({ ...e, app: "oldshop", version: ENDED, time: (ENDED_AT - 60_000) * 1000 });
  const logFile = join(dir, "logs", `${ENDED}.jsonl`);
  writeFileSync(logFile, [old(entry("started up")), old(entry("card declined", "error"))].map((e) => `${JSON.stringify(e)}\n`).join(""));
  const traceFile = join(dir, "traces", `${ENDED}.jsonl`);
  const stored = spans.map((x) => ({ ...x, resource: { ...x.resource, deployment: ENDED } }));
  writeFileSync(traceFile, stored.map((x) => `${JSON.stringify(x)}\n`).join(""));
  for (const f of [logFile, traceFile]) utimesSync(f, ENDED_AT / 1000, ENDED_AT / 1000);
}

beforeAll(async () => {
  process.env["XDG_DATA_HOME"] = data;
  storeEndedDeployment();
  dashboard = await startDashboard({ deployer: "multi" });
});
afterAll(async () => {
  await dashboard.close();
  if (savedXdg === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = savedXdg;
  rmSync(data, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${dashboard.url}${path}`);
  return { status: res.status, text: await res.text() };
}

/** The first message of a page's live connection. */
async function firstLive(path: string): Promise<Record<string, unknown>> {
  const ws = new WebSocket(`${dashboard.url.replace("http", "ws")}/live${path}`);
  const message = await new Promise<string>((resolve, reject) => ws.once("message", (m) => resolve(String(m))).once("error", reject));
  ws.close();
  return JSON.parse(message) as Record<string, unknown>;
}

describe("past deployments", () => {
  it("lists ended deployments and opens them: their stored logs and traces, and when they ended", async () => {
    const index = await get("/");
    expect(index.text).toContain("Past deployments");
    expect(index.text).toMatch(
      new RegExp(`<td>multi</td><td>oldshop</td><td><a href="/deployment\\?id=${ENDED}"><code>${ENDED}</code></a></td>`),
    );
    expect(index.text).not.toContain(
      `<a href="/deployment?id=${ENDED}"><code>${ENDED}</code></a></td><td><time data-since="${ENDED_AT - 60_000}"`,
    );

    for (const path of [`/deployment?id=feedbeef`, `/logs?id=${ENDED}`, `/traces?id=${ENDED}`, `/metrics?id=${ENDED}`]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.text).toContain(`This deployment has ended: it last wrote ${new Date(ENDED_AT).toISOString()}`);
      expect(page.text).toContain(`<td class="msg">card declined <span class="attr">`);
      expect(page.text).toContain(`href="/trace?id=${ENDED}&amp;trace=${"e".repeat(32)}"`);
    }
    const errors = await get(`/deployment?id=${ENDED}&q=${encodeURIComponent('level == "error"')}`);
    expect(errors.text).toContain("card declined");
    expect(errors.text).not.toContain("started up");

    const trace = await get(`/trace?id=${ENDED}&trace=${"e".repeat(32)}`);
    expect(trace.status).toBe(200);
    expect([...trace.text.matchAll(/<details class="span depth-(\d+)/g)].map((m) => m[1])).toEqual(["0", "1", "2"]);
    expect((await get(`/trace?id=${ENDED}&trace=nope`)).status).toBe(404);

    // Its live connection says it ended and closes, rather than "not found".
    const first = await firstLive(`/deployment?id=${ENDED}`);
    expect(first).toEqual({ t: "ended", message: "This deployment ended; the page shows what it stored." });
  });
});
