// The tiers, enforced: every import in the repository follows the rules of support/boundaries.ts,
// and the check does fail on each kind of violation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile, checkRepository, importsOf } from "./support/boundaries.js";
import { ROOT } from "./support/process.js";

const exportsOf = (pkg: string): readonly string[] | undefined =>
  ({
    "@weaver/rpc": ["."],
    "@weaver/runtime": [".", "./codegen", "./tool", "./core"],
    "@weaver/core": [".", "./testing", "./codegen"],
    "@weaver/multi": ["."],
    "@weaver/dashboard": ["."],
  })[pkg];

describe("the tier boundaries", () => {
  it("hold for every import in the repository", () => {
    expect(checkRepository(ROOT)).toEqual([]);
  });

  it("find the imports of a file: static, type-only, side-effect, re-exports and dynamic ones", () => {
    const text =
      'import a from "a";\nimport type { B,\n  C } from "b";\nimport "./c.js";\nexport { d } from "d";\nconst e = await import("e");\n';
    expect(importsOf(text)).toEqual([
      { specifier: "a", line: 1 },
      { specifier: "b", line: 3 },
      { specifier: "./c.js", line: 4 },
      { specifier: "d", line: 5 },
      { specifier: "e", line: 6 },
    ]);
  });

  it.each([
    ["packages/dashboard/src/x.ts", 'import { listDeployments } from "@weaver/multi";', "packages/dashboard may not import @weaver/multi"],
    ["packages/multi/src/x.ts", 'import { RpcClient } from "@weaver/rpc";', "packages/multi may not import @weaver/rpc"],
    ["packages/multi/src/x.ts", 'import { LocalCalls } from "@weaver/runtime/core";', "packages/multi may not import @weaver/runtime/core"],
    ["packages/core/src/x.ts", 'import { RpcServer } from "../../rpc/src/server.js";', "a relative import leaves packages/core"],
    [
      "packages/cli/src/x.ts",
      'import { StatusServer } from "@weaver/runtime/dist/deployments/status-server.js";',
      "@weaver/runtime does not export ./dist/deployments/status-server.js",
    ],
    ["examples/hello/src/main.ts", 'import { loadConfig } from "@weaver/runtime";', "app may not import @weaver/runtime"],
    [
      "examples/hello/src/weaver_gen.ts",
      'import { registerApp } from "@weaver/runtime/codegen";',
      "generated may not import @weaver/runtime/codegen",
    ],
    ["packages/runtime/src/x.ts", 'const d = await import("@weaver/dashboard");', "packages/runtime may not import @weaver/dashboard"],
  ])("fail for %s importing %s", (file, line, why) => {
    const violations = checkFile(ROOT, file, `// a file\n${line}\n`, exportsOf);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ file, line: 2 });
    expect(violations[0]!.why).toContain(why);
  });

  it("fail on a real file given a forbidden import", () => {
    const file = "packages/dashboard/src/dashboard-data.ts";
    const text = readFileSync(join(ROOT, file), "utf8") + '\nimport { multiDeploy } from "@weaver/multi";\n';
    expect(checkFile(ROOT, file, text, exportsOf).map((v) => v.why)).toEqual([
      "packages/dashboard may not import @weaver/multi (its tier is for packages/cli, repo-test)",
    ]);
  });
});
