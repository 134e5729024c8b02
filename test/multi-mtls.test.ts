// `weaver multi deploy` with [multi] mtls = true, as a user runs it: the example app serves its
// HTTP listener, its replicas calling each other over mutual TLS with certificates that live two
// seconds, and replicas restarted after every first certificate has expired still reach each
// other (each side presenting a renewed certificate).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { registration, settled } from "./support/deployments.js";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const data = mkdtempSync(join(ROOT, ".tmp-multi-mtls-"));
const env = { XDG_DATA_HOME: data };
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

function reverserConfig(multi: string): string {
  const file = join(data, `weaver-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(
    file,
    `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n${multi}\n`,
  );
  return file;
}

const weaver = (...args: string[]): TestProcess => new TestProcess(process.execPath, ["packages/cli/bin/weaver.js", ...args], { env });

/** GETs a path of the listener until it answers 200 (replicas may be restarting); returns the body. */
async function get(port: number, path: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
    if (r?.status === 200) return r.text();
    if (Date.now() > deadline) throw new Error(`GET ${path} did not succeed: ${r?.status} ${await r?.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("weaver multi deploy with mtls = true", () => {
  it("serves the listener, and replicas restarted after their peers' first certificates expired reach them", {
    timeout: 90_000,
  }, async () => {
    const app = weaver("multi", "deploy", reverserConfig('mtls = true\ncert_lifetime = "2s"'));
    const [, deployment] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const { status } = await registration(data, deployment!);
    const before = await settled(status);
    expect(before.config["multi"]).toMatchObject({ mtls: true, cert_lifetime: "2s" });
    const port = Number(before.listeners[0]!.address.split(":")[1]);
    expect(await get(port, "/reverse?name=abcdefg")).toBe("after reversing, name is gfedcba\n");
    expect(await get(port, "/convert?name=abcdefg")).toBe("after converting, name is ABCDEFG\n");

    // Let every first certificate expire (2 s), then replace both Reverser replicas: Main must
    // connect to the new ones with a renewed certificate, and the deployer's health checks too.
    await new Promise((r) => setTimeout(r, 4_500));
    const reversers = before.groups.find((g) => g.name === "reverser.Reverser")!.replicas;
    for (const r of reversers) process.kill(r.pid, "SIGKILL");
    // Ready again, with new processes (the deployer health-checks them with its own renewed certificate).
    for (;;) {
      const after = await settled(status);
      const pids = after.groups.find((g) => g.name === "reverser.Reverser")!.replicas.map((r) => r.pid);
      if (!pids.some((pid) => reversers.some((r) => r.pid === pid))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < 10; i++) expect(await get(port, `/reverse?name=x${i}y`)).toBe(`after reversing, name is y${i}x\n`);
    // Nothing was refused for an expired or unknown certificate along the way.
    expect(app.stdout + app.stderr).not.toMatch(/refused a client|TLS handshake with a client failed|could not renew/);
    const { code } = await app.stop("SIGINT");
    expect(code).toBe(0);
  });

  it("refuses a certificate lifetime it cannot keep, before starting anything", async () => {
    const r = await runToEnd(
      process.execPath,
      ["packages/cli/bin/weaver.js", "multi", "deploy", reverserConfig('mtls = true\ncert_lifetime = "500ms"')],
      {
        env,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cert_lifetime = "500ms": give a duration from "2s" to "720h", such as "1h" or "10m"/);
    expect(r.stdout).not.toContain("deployment :");
  });
});
