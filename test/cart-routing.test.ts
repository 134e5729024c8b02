// Routing, as a user of examples/cart meets it under `weaver multi deploy` with 3 Cart replicas:
// carts kept in memory come back whole through the listener because CartRouter sends every call
// of a user to one replica, and the same app without its router loses items; a killed Cart
// replica's keys are served by the others at once and come back to its slot when it restarts,
// while reads never fail.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentStatus } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { registration } from "./support/deployments.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

// Inside the checkout, so that the router-less copy of the example finds @weaver/core.
const work = mkdtempSync(join(ROOT, ".tmp-cart-routing-"));
const env = { XDG_DATA_HOME: join(work, "data") };
afterEach(stopAll);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const USERS = Array.from({ length: 100 }, (_, i) => `user-${i}`);
/** What each user adds: tea twice, so quantities count too. */
const SKUS = ["tea", "apple", "tea", "bread"];
const EXPECTED = [
  { sku: "apple", quantity: 1 },
  { sku: "bread", quantity: 1 },
  { sku: "tea", quantity: 2 },
];

/** Deploys the cart app built at `dist` with 3 Cart replicas; resolves once every replica is ready. */
async function deploy(dist: string): Promise<{ app: TestProcess; port: number; status: () => Promise<DeploymentStatus> }> {
  const file = join(work, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(dist, "main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\ngroups."cart.Cart".replicas = 3\n`,
  );
  const app = new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", "multi", "deploy", file], { env });
  const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
  const { status: url } = await registration(env.XDG_DATA_HOME, deployment!);
  const status = async (): Promise<DeploymentStatus> => (await (await fetch(`${url}/status`)).json()) as DeploymentStatus;
  const s = await until(status, (x) => x.groups.every((g) => g.replicas.every((r) => r.state === "ready")));
  return { app, port: Number(s.listeners[0]!.address.split(":")[1]), status };
}

/** Polls `get` until `ok` holds of its result (the test's timeout bounds it). */
async function until<T>(get: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A cart as the listener answers it, and the pid of the Cart replica that holds it. */
interface Answer {
  readonly status: number;
  readonly body: { user?: string; items?: unknown };
  readonly servedBy: number;
}

async function request(port: number, method: "GET" | "POST", path: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: (await res.json()) as Answer["body"], servedBy: Number(res.headers.get("x-served-by")) };
}

/** Runs `task` on every item, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

/** Adds every user's items through the listener, then reads every cart back. */
async function fillAndRead(port: number): Promise<Answer[]> {
  const adds = USERS.flatMap((u) => SKUS.map((sku) => `/cart/${u}/items?sku=${sku}`));
  const added = await pool(adds, 16, (path) => request(port, "POST", path));
  expect(added.filter((a) => a.status !== 200)).toEqual([]);
  return pool(USERS, 16, (u) => request(port, "GET", `/cart/${u}`));
}

/** The member of routed Cart that holds each replica pid, from the status. */
function membersByPid(s: DeploymentStatus): Map<number, string> {
  const pids = new Map(s.groups.flatMap((g) => g.replicas.map((r) => [r.id, r.pid] as const)));
  const routing = s.routing?.find((r) => r.component === "cart/Cart");
  return new Map((routing?.members ?? []).map((m) => [pids.get(m.replica ?? "") ?? -1, m.member]));
}

describe("routing carts to replicas under weaver multi deploy", () => {
  it("reads back 100 carts whole through the listener, each held by one of 3 replicas", async () => {
    const { app, port, status } = await deploy(join(ROOT, "examples/cart/dist"));
    const carts = await fillAndRead(port);
    const incomplete = carts.filter((c, i) => JSON.stringify(c.body) !== JSON.stringify({ user: USERS[i], items: EXPECTED }));
    expect(incomplete).toEqual([]);

    // Every cart lives in one of the 3 replicas, and the status says how keys are spread.
    const s = await status();
    const members = membersByPid(s);
    const holders = new Set(carts.map((c) => c.servedBy));
    expect(holders.size).toBe(3);
    for (const pid of holders) expect(members.get(pid)).toMatch(/^cart\.Cart\/[012]$/);
    const routing = s.routing?.find((r) => r.component === "cart/Cart");
    expect(routing?.members.map((m) => m.member)).toEqual(["cart.Cart/0", "cart.Cart/1", "cart.Cart/2"]);
    expect(routing?.members.every((m) => m.up && m.owned === m.serving && m.owned > 4096 / 6)).toBe(true);
    expect(routing?.members.reduce((n, m) => n + m.owned, 0)).toBe(routing?.slots);

    const table = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "multi", "status"], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ ROUTING +│/);
    expect(table.stdout).toMatch(/│ cart +│ [0-9a-f]{8} +│ cart\.Cart +│ cart\.Cart\/0 +│ \d+ +│ \d+\.\d% +│ \d+\.\d% +│/);
    await app.stop("SIGINT");
  }, 90_000);

  it("loses items without the router: the same app with CartRouter detached leaves carts incomplete", async () => {
    // A copy of the example whose Cart has no router, generated and built as a user would.
    const copy = join(work, "cart-unrouted");
    mkdirSync(copy);
    cpSync(join(ROOT, "examples/cart/src"), join(copy, "src"), { recursive: true, filter: (f) => !/weaver_(gen|manifest)/.test(f) });
    cpSync(join(ROOT, "examples/cart/package.json"), join(copy, "package.json"));
    const cart = join(copy, "src/cart.ts");
    const source = readFileSync(cart, "utf8");
    expect(source).toContain("  static readonly router = CartRouter;\n");
    writeFileSync(cart, source.replace("  static readonly router = CartRouter;\n", ""));
    writeFileSync(
      join(copy, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.base.json"),
        compilerOptions: {
          rootDir: "src",
          outDir: "dist",
          composite: false,
          incremental: false,
          declaration: false,
          declarationMap: false,
        },
        include: ["src"],
        exclude: ["src/*.test.ts"],
      }),
    );
    const generated = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "generate", copy], { timeoutMs: 60_000 });
    expect(generated.code, generated.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(copy, "src/weaver_manifest.json"), "utf8")).components[0]).not.toHaveProperty("routed");
    const built = await runToEnd(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", copy], { timeoutMs: 60_000 });
    expect(built.code, built.stdout).toBe(0);

    const { app, port } = await deploy(join(copy, "dist"));
    const carts = await fillAndRead(port);
    const incomplete = carts.filter((c, i) => JSON.stringify(c.body) !== JSON.stringify({ user: USERS[i], items: EXPECTED }));
    // Each of a user's 4 adds and the read go to any of 3 replicas: almost no cart comes back whole.
    expect(incomplete.length).toBeGreaterThan(USERS.length / 2);
    console.log(`without the router, ${incomplete.length} of ${USERS.length} carts came back incomplete`);
    await app.stop("SIGINT");
  }, 120_000);

  it("serves a killed replica's keys elsewhere at once, gives them back after its restart, and fails no read", async () => {
    const { app, port, status } = await deploy(join(ROOT, "examples/cart/dist"));
    // Every read is retriable, so none may fail, whatever happens to the replicas.
    const failures: string[] = [];
    let reads = 0;
    let readsSinceKill = 0;
    let killed = 0;
    const holderOf = async (u: string): Promise<number> => {
      const a = await request(port, "GET", `/cart/${u}`).catch((e: Error) => ({ status: 0, body: { error: e.message }, servedBy: 0 }));
      if (a.status === 200) reads++;
      else failures.push(`${u}: ${JSON.stringify(a.body)}`);
      if (killed > 0) readsSinceKill++;
      return a.servedBy;
    };
    const before = await pool(USERS, 16, holderOf);
    const members = membersByPid(await status());
    const victim = before[0]!;
    const victimMember = members.get(victim)!;
    const moved = USERS.filter((_, i) => before[i] === victim);
    const stayed = USERS.filter((_, i) => before[i] !== victim);
    expect(moved.length).toBeGreaterThan(10);

    // Reads of every cart run throughout, as users would.
    let running = true;
    const reader = async (offset: number): Promise<void> => {
      for (let i = offset; running; i += 4) await holderOf(USERS[i % USERS.length]!);
    };
    const load = Promise.all([0, 1, 2, 3].map(reader));

    killed = Date.now();
    process.kill(victim, "SIGKILL");
    // The victim's users move to the other replicas; everybody else stays where they were.
    await until(
      async () => Promise.all(moved.map(holderOf)),
      (holders) => holders.every((h) => h !== victim && h !== 0),
    );
    const failoverMs = Date.now() - killed;
    const during = await pool(USERS, 16, holderOf);
    expect(during.filter((h, i) => before[i] !== victim && h !== before[i])).toEqual([]);
    expect(new Set(during.filter((_, i) => before[i] === victim)).has(victim)).toBe(false);

    // The slot restarts with a new process, which gets its keys back.
    const after = await until(status, (s) => {
      const m = s.routing?.find((r) => r.component === "cart/Cart")?.members.find((x) => x.member === victimMember);
      return m?.up === true && !membersByPid(s).has(victim);
    });
    const back = [...membersByPid(after)].find(([, m]) => m === victimMember)![0];
    const restarted = Date.now();
    await until(
      async () => Promise.all(moved.map(holderOf)),
      (holders) => holders.every((h) => h === back),
    );
    const returnMs = Date.now() - restarted;
    expect(await pool(stayed, 16, holderOf)).toEqual(before.filter((h) => h !== victim));
    // The reads went on across the kill, the failover, the restart and the return.
    const atReturn = readsSinceKill;
    while (readsSinceKill < atReturn + 50) await new Promise((r) => setTimeout(r, 10));
    running = false;
    await load;
    expect(failures).toEqual([]);
    console.log(
      `${moved.length} of ${USERS.length} carts moved off the killed replica within ${failoverMs} ms and came back ${returnMs} ms after its restart was ready; ${reads} reads (${readsSinceKill} after the kill), none failed`,
    );
    await app.stop("SIGINT");
  }, 90_000);
});
