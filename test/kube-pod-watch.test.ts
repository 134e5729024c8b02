// The babysitter's pod watch against a loopback API server speaking the real list/watch protocol:
// the ready peers follow pods that appear, disappear, change IP and become unready, and the watch
// survives compaction (410 Gone: it re-lists and sees what it missed), dropped streams and errors.
import { afterEach, describe, expect, it } from "vitest";
import { PodWatch } from "../packages/kube/src/babysitter/pod-watch.js";
import type { Peer } from "../packages/kube/src/babysitter/peers.js";
import { KubeApiServer, makePod } from "./support/kube-api-server.js";

const LABELS = { "weaver.dev/app": "shop", "weaver.dev/version": "abcd1234" };
const SELECTOR = "weaver.dev/app=shop,weaver.dev/version=abcd1234";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server and a watch of it, with every peer set the watch published. */
async function setup(
  options: { timeoutSeconds?: number; watchdogGraceSeconds?: number; warnings?: string[] } = {},
): Promise<{ api: KubeApiServer; watch: PodWatch; seen: Map<string, Peer[]>[] }> {
  const api = await KubeApiServer.start();
  const seen: Map<string, Peer[]>[] = [];
  const { warnings, ...timing } = options;
  const watch = new PodWatch({
    ...timing,
    namespace: "default",
    labelSelector: SELECTOR,
    apiServer: api.url,
    onChange: (peers) => seen.push(new Map([...peers].map(([g, l]) => [g, [...l]]))),
    warn: (m) => warnings?.push(m),
    backoffMs: 20,
    maxBackoffMs: 200,
  });
  cleanups.push(
    () => api.close(),
    () => watch.close(),
  );
  return { api, watch, seen };
}

function pod(name: string, group: string, ip: string, ready = true, app = LABELS) {
  return makePod({ name, labels: { ...app, "weaver.dev/group": group }, podIP: ip, ready, rpcPort: 10000 });
}

/** What the watch's peers are, as group -> "name@address" lines. */
function shown(watch: PodWatch): Record<string, string[]> {
  return Object.fromEntries([...watch.peers].map(([g, l]) => [g, l.map((p) => `${p.name}@${p.address}`)]));
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("pod watch", () => {
  it("follows pods that appear, change IP, become unready and disappear", async () => {
    const { api, watch, seen } = await setup();
    api.addPod(pod("main-1", "main", "10.0.0.1"));
    api.addPod(pod("other-app", "main", "10.0.0.9", true, { ...LABELS, "weaver.dev/app": "other" }));
    watch.start();
    await until("the first list", () => watch.listed);
    expect(shown(watch)).toEqual({ main: ["main-1@tcp:10.0.0.1:10000"] });

    api.addPod(pod("rev-b", "reverser", "10.0.0.3"));
    api.addPod(pod("rev-a", "reverser", "10.0.0.2"));
    await until("two reversers", () => watch.peers.get("reverser")?.length === 2);
    expect(shown(watch)["reverser"]).toEqual(["rev-a@tcp:10.0.0.2:10000", "rev-b@tcp:10.0.0.3:10000"]);

    api.updatePod("rev-a", (p) => (p.status.podIP = "10.0.1.2"));
    await until("the new IP", () => shown(watch)["reverser"]?.[0] === "rev-a@tcp:10.0.1.2:10000");

    api.updatePod("rev-b", (p) => (p.status.conditions = [{ type: "Ready", status: "False" }]));
    await until("rev-b unready", () => watch.peers.get("reverser")?.length === 1);
    api.updatePod("rev-a", (p) => (p.metadata.deletionTimestamp = new Date().toISOString()));
    await until("rev-a terminating", () => watch.peers.get("reverser") === undefined);

    api.deletePod("main-1");
    await until("no peers", () => watch.peers.size === 0);
    // One list, one watch: every change came as an event, and each change was published once.
    expect(api.lists).toBe(1);
    expect(api.watches).toBe(1);
    expect(seen.length).toBe(7);
  });

  it("re-lists after 410 Gone and sees a deletion made while it was away", async () => {
    const { api, watch } = await setup();
    api.addPod(pod("rev-a", "reverser", "10.0.0.2"));
    api.addPod(pod("rev-b", "reverser", "10.0.0.3"));
    watch.start();
    await until("two reversers", () => watch.peers.get("reverser")?.length === 2);

    // While the watch is down, rev-a goes and the history of it is compacted away.
    api.failNext(3);
    api.dropWatches();
    api.deletePod("rev-a");
    api.addPod(pod("rev-c", "reverser", "10.0.0.4"));
    api.compact();
    await until("rev-a gone", () => shown(watch)["reverser"]?.join() === "rev-b@tcp:10.0.0.3:10000,rev-c@tcp:10.0.0.4:10000");
    expect(api.lists).toBe(2); // the first, and one after the 410
    expect(api.requests.some((u) => u.includes("watch=true"))).toBe(true);
  });

  it("reconnects after dropped streams and server errors, losing no event", async () => {
    const { api, watch } = await setup();
    watch.start();
    await until("the first list", () => watch.listed);
    for (let i = 0; i < 5; i++) {
      const watches = api.watches;
      await until("a watch", () => api.watches > watches || (i === 0 && watches === 1));
      api.dropWatches();
      api.failNext(2);
      api.addPod(pod(`rev-${i}`, "reverser", `10.0.0.${10 + i}`));
    }
    await until("five reversers", () => watch.peers.get("reverser")?.length === 5);
    // The history was kept, so the watch resumed from its resourceVersion each time: no re-list.
    expect(api.lists).toBe(1);
    expect(api.watches).toBeGreaterThanOrEqual(5);
  });

  it("gives up on a watch that goes silent past its timeout (a dead connection) and resumes without losing events", async () => {
    const warnings: string[] = [];
    const { api, watch } = await setup({ timeoutSeconds: 1, watchdogGraceSeconds: 1, warnings });
    watch.start();
    await until("a watch", () => watch.listed && api.watches === 1);
    api.stallWatches();
    api.addPod(pod("rev-late", "reverser", "10.0.0.42"));
    await until("the pod added while the stream was silent", () => watch.peers.get("reverser")?.length === 1, 15_000);
    expect(warnings.some((w) => w.includes("no end from the API server"))).toBe(true);
    expect(api.lists).toBe(1);
  });
});
