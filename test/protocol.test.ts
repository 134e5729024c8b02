// The deployer ↔ replica contract carries its version, and each end refuses the other's when
// they differ, with one error that names both versions and the fix: this is what a globally
// installed weaver driving an app built against another Weaver version runs into.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEPLOYER_PROTOCOL_VERSION } from "@weaver/runtime";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ROOT, runToEnd, stopAll } from "./support/process.js";

const APP = join(ROOT, "test/apps/conformance");
const tmp: string[] = [];
afterEach(stopAll);
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe("the deployer protocol version", () => {
  it.each([
    [1, "version 1"],
    [undefined, "a version older than 2 (it sent none)"],
  ])("a replica started with version %s refuses to run, naming both versions and the fix", async (protocol, theirs) => {
    const args = {
      ...(protocol === undefined ? {} : { protocol }),
      deployment: "d1",
      id: "r1",
      hosts: ["conformance/Store"],
      listen: `unix:${join(tmpdir(), "never.sock")}`,
      routes: {},
    };
    const run = await runToEnd(process.execPath, [join(APP, "dist/main.js")], { env: { WEAVER_REPLICA: JSON.stringify(args) } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `weaver: replica r1: the deployer that started it speaks deployer protocol ${theirs}, but this app's @weaver/runtime speaks version ${DEPLOYER_PROTOCOL_VERSION}; ` +
        "deploy the app with the weaver command of the Weaver version it was built with (`npx weaver` in the app's folder), or rebuild the app against the weaver that deploys it\n",
    );
  });

  it("a deployer refuses a replica of another version and stops with the reason, rather than restarting it", async () => {
    // A replica built against an older runtime: it reports ready the way version 1 did, without
    // saying its version. It carries the conformance app's manifest, so the deployer takes it.
    const dir = mkdtempSync(join(ROOT, "test", ".tmp-protocol-"));
    tmp.push(dir);
    const manifest = readFileSync(join(APP, "src/weaver_manifest.json"), "utf8");
    writeFileSync(
      join(dir, "old-replica.mjs"),
      [
        'import { RpcAppError, RpcClient, parseEndpoint } from "@weaver/rpc";',
        'import { Packr } from "msgpackr";',
        `export const WEAVER_MANIFEST = ${JSON.stringify(JSON.stringify(JSON.parse(manifest)))};`,
        "const args = JSON.parse(process.env.WEAVER_REPLICA);",
        "const codec = new Packr({ useRecords: true, moreTypes: true, mapsAsObjects: false, useBigIntExtension: true });",
        "const client = new RpcClient({ deployment: args.deployment, version: JSON.parse(WEAVER_MANIFEST).versionHash, id: args.id });",
        'client.setReplicas([{ id: "deployer", address: parseEndpoint(args.control) }]);',
        "try {",
        "  await client.call(1, codec.pack({ id: args.id, pid: process.pid, listeners: {} }), { retriable: true });",
        '  console.log("the deployer took a replica of version 1");',
        "} catch (e) {",
        '  console.error(e instanceof RpcAppError ? "refused" : `failed: ${e.message}`);',
        "  process.exit(1);",
        "}",
      ].join("\n"),
    );
    const config = join(dir, "weaver.toml");
    writeFileSync(config, '[serviceweaver]\nbinary = "./old-replica.mjs"\n');
    const data = mkdtempSync(join(tmpdir(), "weaver-protocol-"));
    tmp.push(data);
    const run = await runToEnd(process.execPath, [join(ROOT, "packages/cli/bin/weaver.js"), "multi", "deploy", config], {
      env: { XDG_DATA_HOME: data },
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("the deployer took a replica of version 1");
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("weaver: "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^weaver: replica [0-9a-f-]{36} speaks deployer protocol version 1 \\(it sent none\\), but this deployer speaks version ${DEPLOYER_PROTOCOL_VERSION}: ` +
          "the app was built against another Weaver version than the weaver command deploying it; deploy it with its own weaver \\(`npx weaver` in the app's folder\\), or update the app's @weaver/core and rebuild$",
      ),
    );
  });
});
