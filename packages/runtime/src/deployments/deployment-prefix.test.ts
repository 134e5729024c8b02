import { describe, expect, it } from "vitest";
import type { DeploymentStatus } from "./deployment-status.js";
import type { RunningDeployment } from "./deployment-list.js";
import { findDeployment } from "./deployment-prefix.js";

const NOW = 10_000_000;

function running(deployment: string, app: string, startedSecondsAgo: number): RunningDeployment {
  const started = NOW - startedSecondsAgo * 1000;
  const status: DeploymentStatus = {
    app,
    deployment,
    started,
    pid: 1,
    configFile: "weaver.toml",
    config: {},
    groups: [],
    components: [],
    listeners: [],
  };
  return { registration: { deployer: "multi", deployment, app, status: "http://127.0.0.1:1", pid: 1, started }, status };
}

const HELLO = running("6b285407-4929-47f1-a0f0-774d5e1a9307", "hello", 65);
const SHOP = running("6b99aa00-1111-4222-8333-444455556666", "shop", 5);
const BANK = running("0c0ffee0-1111-4222-8333-444455556666", "bank", 3600);
const ALL = [HELLO, SHOP, BANK];

describe("findDeployment", () => {
  it.each([["6b28"], ["6B285407"], ["6b285407-4929-47f1-a0f0-774d5e1a9307"], [" 6b2 "]])("finds the one deployment %j starts", (prefix) => {
    expect(findDeployment(prefix, ALL, "multi", NOW)).toEqual({ deployment: HELLO });
  });

  it("refuses a prefix of several ids, listing them", () => {
    const m = findDeployment("6b", ALL, "multi", NOW);
    expect(m).toEqual({
      error:
        `"6b" is the start of 2 running deployments' ids; give more of the id:\n` +
        `  6b285407-4929-47f1-a0f0-774d5e1a9307  hello  (started 1m5s ago)\n` +
        `  6b99aa00-1111-4222-8333-444455556666  shop  (started 5s ago)`,
    });
  });

  it("refuses a prefix of no id, listing every running deployment", () => {
    const m = findDeployment("ff", ALL, "multi", NOW);
    expect("error" in m && m.error).toMatch(/^no running deployment's id starts with "ff"; the running deployments are:\n/);
    expect("error" in m && m.error.split("\n").slice(1)).toEqual([
      "  6b285407-4929-47f1-a0f0-774d5e1a9307  hello  (started 1m5s ago)",
      "  6b99aa00-1111-4222-8333-444455556666  shop  (started 5s ago)",
      "  0c0ffee0-1111-4222-8333-444455556666  bank  (started 1h0m0s ago)",
    ]);
  });

  it("says how to start a deployment when none runs, and lists them for an empty prefix", () => {
    expect(findDeployment("6b", [], "multi", NOW)).toEqual({
      error: "no multi deployment is running; start one with `weaver multi deploy weaver.toml`",
    });
    const m = findDeployment("", ALL, "multi", NOW);
    expect("error" in m && m.error).toMatch(
      /^give the id of a deployment, or the start of one; the running deployments are:\n {2}6b285407/,
    );
  });
});
