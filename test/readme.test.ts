// The README's commands, run as a new user would after `npm ci`: they must stay true.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, TestProcess, runToEnd, stopAll } from "./support/process.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
/** The commands of the README's first lines, without their set-up steps and comments. */
const [runCommand, testCommand] = firstBlock
  .trim()
  .split("\n")
  .map((line) =>
    line
      .replace(/#.*$/, "")
      .trim()
      .replace(/^.*npm ci && /, ""),
  );

afterEach(stopAll);

describe("README", () => {
  it("starts with the two set-up commands: the example app through weaver, and the tests", () => {
    expect(firstBlock.split("\n")[0]).toMatch(/^npm ci && npx weaver single deploy weaver\.toml\b/);
    // The browser tests drive Debian's Chromium, which .ci/run installs the same way.
    expect(firstBlock.split("\n")[1]).toMatch(/^apt-get update && apt-get install -y chromium && npm ci && npm test\b/);
    expect(testCommand).toBe("npm test");
  });

  it("runs the example app on 127.0.0.1:8080 and answers the curl commands it shows", async () => {
    const [cmd, ...args] = (runCommand ?? "").split(/\s+/) as [string, ...string[]];
    const app = new TestProcess(cmd, args);
    await app.waitFor(/http listener available on 127\.0\.0\.1:8080\n/);
    expect(app.stdout).toMatch(/^╭─{51}╮\n│ app {8}: reverser {29}│\n│ deployment : [0-9a-f-]{36} │\n╰─{51}╯\n/);
    for (const [, url, answer] of readme.matchAll(/\$ curl '([^']+)'\n(.+)\n/g)) {
      const res = await fetch(`http://${(url as string).replace("localhost", "127.0.0.1")}`);
      expect(await res.text()).toBe(`${answer}\n`);
    }
    // Ctrl-C stops everything (npx re-raises the signal, so its own status is the signal's).
    await app.stop("SIGINT");
    await expect(fetch("http://127.0.0.1:8080/reverse")).rejects.toThrow();
    expect(app.stderr).not.toMatch(/weaver: /);
  });

  it("shows the generator's diagnostics exactly as weaver generate prints them", async () => {
    const block = /\$ npx weaver generate (\S+)\n([\s\S]*?)\.\.\.\n```/.exec(readme);
    expect(block).not.toBeNull();
    const run = await runToEnd(process.execPath, ["packages/cli/bin/weaver.js", "generate", block![1]!]);
    expect(run.code).toBe(1);
    for (const line of block![2]!.trim().split("\n")) expect(run.stderr.split("\n")).toContain(line);
  });

  it("runs the reverser example as two processes, as the RPC section shows", async () => {
    const block = /```sh\ndir=\$\(mktemp -d\)\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), "weaver-readme-"));
    try {
      // Each command is WEAVER_REPLICA='<json with '$dir' spliced in>' node <entry>.
      const commands = [...block![1]!.matchAll(/WEAVER_REPLICA='(.*?)' \\\n\s+node (\S+)/g)].map(([, json, entry]) => ({
        replica: (json as string).replaceAll("'$dir'", dir),
        entry: entry as string,
      }));
      expect(commands).toHaveLength(2);
      const [server, main] = commands as [(typeof commands)[0], (typeof commands)[0]];
      const r = new TestProcess(process.execPath, [server.entry], { env: { WEAVER_REPLICA: server.replica } });
      await r.waitFor(/replica r1 serving/);
      const m = new TestProcess(process.execPath, [main.entry], { env: { WEAVER_REPLICA: main.replica } });
      const [, port] = await m.waitFor(/http listener available on 127\.0\.0\.1:(\d+)\n/);
      expect(await (await fetch(`http://127.0.0.1:${port}/reverse?name=abcdefg`)).text()).toBe("after reversing, name is gfedcba\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the multi section's commands: deploy prints two listener lines, status six pids, curl answers", async () => {
    // Same port as the first example, so this test runs in this file, one after the other.
    expect(readme).toContain("$ npx weaver multi deploy weaver.toml\n");
    const data = mkdtempSync(join(tmpdir(), "weaver-readme-multi-"));
    const env = { XDG_DATA_HOME: data };
    try {
      const app = new TestProcess("npx", ["weaver", "multi", "deploy", "weaver.toml"], { env });
      await app.waitFor(/(S\d{4} [\d:.]+ stdout {15}[0-9a-f]{8} {22}│ http listener available on 127\.0\.0\.1:8080\n){2}/);
      // Status may be asked while replicas still start; wait until it lists all six.
      let status = "";
      for (const deadline = Date.now() + 20_000; (status.match(/\d+, \d+ +│/g) ?? []).length < 3; ) {
        if (Date.now() > deadline)
          throw new Error(`status never listed six replicas; it said:\n${status}\ndeploy printed:\n${app.stdout}${app.stderr}`);
        status = (await runToEnd("npx", ["weaver", "multi", "status"], { env })).stdout;
      }
      for (const row of ["weaver.Main", "reverser.Converter", "reverser.Reverser"])
        expect(status).toMatch(new RegExp(`│ ${row.replace(".", "\\.")} +│ \\d+, \\d+ +│`));
      expect(status).toMatch(/│ lis +│ 127\.0\.0\.1:8080 │/);
      expect(await (await fetch("http://127.0.0.1:8080/convert?name=abcdefg", { signal: AbortSignal.timeout(10_000) })).text()).toBe(
        "after converting, name is ABCDEFG\n",
      );
      const version = /│ deployment : ([0-9a-f]{8})/.exec(app.stdout)![1];
      const logs = await runToEnd("npx", ["weaver", "multi", "logs", `version == "${version}"`], { env });
      expect(logs.stdout.match(/http listener available on 127\.0\.0\.1:8080/g)).toHaveLength(2);
      await app.stop("SIGINT");
      await expect(fetch("http://127.0.0.1:8080/convert")).rejects.toThrow();
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
