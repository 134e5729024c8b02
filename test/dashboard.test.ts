// The dashboard of a real multi deployment: `weaver multi dashboard` finds it through the registry
// and shows its groups, their processes and, once requests went through the listener, the method
// statistics.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DashboardDeployment } from "@weaver/dashboard";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { registration, settled } from "./support/deployments.js";
import { ROOT, TestProcess, stopAll } from "./support/process.js";

const data = mkdtempSync(join(tmpdir(), "weaver-dashboard-"));
const env = { XDG_DATA_HOME: data };
afterEach(stopAll);
afterAll(() => rmSync(data, { recursive: true, force: true }));

const BIN = "packages/cli/bin/weaver.js";

describe("weaver multi dashboard", () => {
  it("lists a running deployment and shows its groups and method statistics", async () => {
    const file = join(data, "weaver.toml");
    writeFileSync(file, `[serviceweaver]\nbinary = "${join(ROOT, "examples/reverser/dist/main.js")}"\n\n[multi]\nlisteners.lis = {address = "127.0.0.1:0"}\n`);
    const app = new TestProcess(process.execPath, [BIN, "multi", "deploy", file], { env });
    const [, id] = await app.waitFor(/│ deployment : ([0-9a-f-]{36}) │/);
    const { status } = await registration(data, id!);
    const listener = (await settled(status)).listeners.find((l) => l.name === "lis")!.address;

    const dashboard = new TestProcess(process.execPath, [BIN, "multi", "dashboard"], { env });
    const [, url] = await dashboard.waitFor(/^Dashboard available at: (http:\/\/127\.0\.0\.1:\d+)$/m);
    expect(dashboard.stderr).toBe(`Dashboard available at: ${url}\n`);

    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const indexHtml = await index.text();
    expect(indexHtml).toContain("<td>reverser</td>");
    expect(indexHtml).toContain(`<a href="/deployment?id=${id}">`);

    // Three groups (main, Reverser, Converter), two live replicas each.
    const api = (await (await fetch(`${url}/api/deployment?id=${id}`)).json()) as DashboardDeployment;
    expect(api.status.groups.length).toBe(3);
    const page = await (await fetch(`${url}/deployment?id=${id}`)).text();
    const componentRows = [...page.matchAll(/<tr><td>[^<]*<\/td><td>[^<]*<\/td><td>(\d+), (\d+)<\/td><td>ready, ready<\/td>/g)];
    expect(componentRows.length).toBe(3);
    for (const g of api.status.groups) {
      const pids = g.replicas.map((r) => r.pid).sort((a, b) => a - b);
      expect(pids.length).toBe(2);
      expect(page).toContain(`<td>${pids.join(", ")}</td>`);
    }
    expect(page).toContain(`<pre>weaver multi logs &#39;version==&quot;${id!.slice(0, 8)}&quot;&#39;</pre>`);

    for (let i = 0; i < 7; i++) expect((await fetch(`http://${listener}/reverse?name=abc${i}`)).status).toBe(200);
    // Statistics are pulled from the replicas every few seconds.
    const row = /<td><code>reverser\/Reverser<\/code><\/td><td><code>reverse<\/code><\/td><td class="num">\d+<\/td><td class="num">\d+<\/td><td class="num">(\d+)<\/td>/;
    for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 250))) {
      const m = row.exec(await (await fetch(`${url}/deployment?id=${id}`)).text());
      if (m !== null && Number(m[1]) >= 7) {
        expect(Number(m[1])).toBe(7);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the Methods table never counted the calls: ${m?.[0]}`);
    }

    expect((await dashboard.stop("SIGINT")).code).toBe(0);
    await app.stop();
  });
});
