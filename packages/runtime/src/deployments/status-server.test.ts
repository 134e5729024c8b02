// A real StatusServer, registered under a temporary XDG_DATA_HOME inside the checkout: what the
// tools find in its registration file and how they talk to it, with and without a token.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/config.js";
import { RecentLogs } from "../logs/recent-logs.js";
import { readRegistrations, registryDir } from "./deployment-files.js";
import { listDeployments } from "./deployment-list.js";
import type { DeploymentStatus } from "./deployment-status.js";
import { StatusClient } from "./status-client.js";
import { StatusServer, type StatusServerOptions } from "./status-server.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
let home = "";
let saved: string | undefined;
beforeAll(() => {
  home = mkdtempSync(join(ROOT, ".tmp-status-server-"));
  saved = process.env["XDG_DATA_HOME"];
  process.env["XDG_DATA_HOME"] = home;
});
afterAll(() => {
  if (saved === undefined) delete process.env["XDG_DATA_HOME"];
  else process.env["XDG_DATA_HOME"] = saved;
  rmSync(home, { recursive: true, force: true });
});
let server: StatusServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const config = parseConfig(`["shop/Store"]\npassword = "hunter2"\n`, join(ROOT, "weaver.toml"));

function start(deployment: string, extra: Partial<StatusServerOptions> = {}): Promise<StatusServer> {
  const started = Date.now();
  const status = (): DeploymentStatus => ({
    app: "shop",
    deployment,
    started,
    pid: process.pid,
    configFile: config.file,
    // As a deployer that does not use configSections would: the config as loaded.
    config: config.components,
    groups: [],
    components: [],
    listeners: [],
  });
  return StatusServer.start({
    deployer: "test",
    app: "shop",
    deployment,
    started,
    config,
    status,
    replicas: () => [],
    logs: new RecentLogs(),
    warn: () => {},
    ...extra,
  });
}

describe("StatusServer", () => {
  it("registers in a file only its user can read, without a token on loopback", async () => {
    server = await start("aaaaaaaa-0000-4000-8000-000000000001");
    expect(server.token).toBeUndefined();
    const file = join(registryDir("test"), "aaaaaaaa-0000-4000-8000-000000000001.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(registryDir("test")).mode & 0o777).toBe(0o700);
    expect(readRegistrations("test")[0]).not.toHaveProperty("token");
    expect((await fetch(`${server.url}/status`)).status).toBe(200);
  });

  it("requires a token when asked, which the tools read from the registration", async () => {
    server = await start("bbbbbbbb-0000-4000-8000-000000000002", { requireToken: true });
    const [registration] = readRegistrations("test");
    expect(registration?.token).toBe(server.token);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(registryDir("test"), "bbbbbbbb-0000-4000-8000-000000000002.json")).mode & 0o777).toBe(0o600);

    const bare = await fetch(`${server.url}/status`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).toContain("the weaver tools read it from the deployment's registration file");
    await expect(new StatusClient(server.url).status()).rejects.toThrow(/answered \/status with HTTP status 401/);

    const client = StatusClient.of(registration!);
    expect((await client.status()).deployment).toBe("bbbbbbbb-0000-4000-8000-000000000002");
    expect(await client.stats()).toMatchObject({ methods: [] });
    expect(await client.logs("")).toMatchObject({ entries: [] });
    const listing = await listDeployments({ deployer: "test" });
    expect(listing.running.map((d) => d.status.deployment)).toEqual(["bbbbbbbb-0000-4000-8000-000000000002"]);
  });

  it("shows no secret of the config, to fetch, StatusClient or listDeployments", async () => {
    server = await start("cccccccc-0000-4000-8000-000000000003");
    const raw = await (await fetch(`${server.url}/status`)).text();
    expect(raw).not.toContain("hunter2");
    expect(raw).toContain('"password":"<redacted>"');
    expect((await new StatusClient(server.url).status()).config).toEqual({ "shop/Store": { password: "<redacted>" } });
    const [running] = (await listDeployments({ deployer: "test" })).running;
    expect(running?.status.config).toEqual({ "shop/Store": { password: "<redacted>" } });
  });
});
