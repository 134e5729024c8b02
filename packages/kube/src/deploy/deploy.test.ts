import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkStream, parseStream } from "./manifest-check.test.util.js";
import { ROOT, runDeploy, tempDir } from "./test-deploy.test.util.js";

// Tests reach into objects by their known shape.
// biome-ignore lint/suspicious/noExplicitAny: test data of a known shape
type Loose = any;

/** Golden files: packages/kube/testdata/golden/<case>/<file>; UPDATE_GOLDEN=1 rewrites them. */
const GOLDEN = join(ROOT, "packages/kube/testdata/golden");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The files of an out folder (recursively), by relative path. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.set(relative(dir, join(d, e.name)), readFileSync(join(d, e.name), "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** What varies from run to run or with other code: the CA, the app's version hash, the time. */
function mask(text: string): string {
  return text
    .replace(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g, "<$1 masked>")
    .replace(/("appVersion": )"[0-9a-f]+"/g, '$1"<app version hash>"')
    .replace(/("at": )"[^"]+"/g, '$1"<time>"');
}

/** Compares (or with UPDATE_GOLDEN=1 writes) the out folder and the printed text with the golden case. */
function expectGolden(name: string, out: string, printed: string): void {
  const actual = files(out);
  actual.set("printed.txt", printed.split(relative(ROOT, out)).join("<out>"));
  const dir = join(GOLDEN, name);
  if (process.env["UPDATE_GOLDEN"] === "1") {
    rmSync(dir, { recursive: true, force: true });
    for (const [f, text] of actual) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), mask(text));
    }
  }
  const golden = files(dir);
  expect([...actual.keys()].sort()).toEqual([...golden.keys()].sort());
  for (const [f, text] of actual)
    expect(mask(text), `${name}/${f} differs from the golden file; UPDATE_GOLDEN=1 rewrites it`).toBe(golden.get(f));
}

/** Every stream of an out folder, checked together (the rollout steps refer to the stream's Services). */
function expectValid(out: string, ...extra: string[]): void {
  const texts = [...files(out)].filter(([f]) => f.endsWith(".yaml")).map(([, t]) => t);
  expect(checkStream(parseStream(...texts, ...extra))).toEqual([]);
}

describe("weaver kube deploy", () => {
  it("writes the reverser's manifests (golden) and they pass the checks", () => {
    const out = tempDir("reverser");
    dirs.push(out);
    const printed = runDeploy(join(ROOT, "examples/reverser/kube.yaml"), "5eed0001-0000-4000-8000-000000000001", { out });
    expectGolden("reverser", out, printed);
    expectValid(out);
    const stream = join(out, "reverser-5eed0001.yaml");
    expect(statSync(stream).mode & 0o777, "the stream holds the CA key").toBe(0o600);
    const deployments = parseStream(readFileSync(stream, "utf8")).filter((o) => o.kind === "Deployment");
    expect(deployments).toHaveLength(3);
    for (const d of deployments) expect((d["spec"] as Record<string, unknown>)["replicas"], "the HPA owns the count").toBeUndefined();
  });

  it("writes the cart's manifests (golden): group resources, scaling, platform, service name", () => {
    const out = tempDir("cart");
    dirs.push(out);
    const printed = runDeploy(join(ROOT, "examples/cart/kube.yaml"), "5eed0002-0000-4000-8000-000000000002", { out });
    expectGolden("cart", out, printed);
    expectValid(out);
  });

  it("writes HTTPRoute steps from the previous version with rollout (golden)", () => {
    const out = tempDir("rollout");
    dirs.push(out);
    const file = join(ROOT, "packages/kube/testdata/rollout/kube.yaml");
    runDeploy(file, "5eed0003-0000-4000-8000-000000000003", { out });
    const printed = runDeploy(file, "5eed0004-0000-4000-8000-000000000004", { out });
    expect(readdirSync(join(out, "rollout-5eed0004"))).toEqual(["1-10.yaml", "2-25.yaml", "3-50.yaml", "4-75.yaml", "5-100.yaml"]);
    expectGolden("rollout", out, printed);
    const both = [readFileSync(join(out, "reverser-5eed0003.yaml"), "utf8"), readFileSync(join(out, "reverser-5eed0004.yaml"), "utf8")];
    for (const step of readdirSync(join(out, "rollout-5eed0004"))) {
      const text = readFileSync(join(out, "rollout-5eed0004", step), "utf8");
      // What the cluster holds after applying the old stream, the new one and the step: the last of each name.
      const applied = new Map(parseStream(...both, text).map((o) => [`${o.kind}/${String(o.metadata?.name)}`, o]));
      expect(checkStream([...applied.values()])).toEqual([]);
    }
  });

  it("gives a listener kube.yaml leaves out the defaults, and says so", () => {
    const dir = tempDir("defaults");
    dirs.push(dir);
    writeFileSync(join(dir, "kube.yaml"), "appConfig: ../examples/reverser/weaver.toml\nimage: ghcr.io/me/reverser:v1\nmtls: false\n");
    const printed = runDeploy(join(dir, "kube.yaml"), "5eed0006-0000-4000-8000-000000000006", { out: join(dir, "out") });
    expect(printed).toMatch(/│ lis \(not in kube\.yaml: defaults\) │ lis +│ ClusterIP │ 80 +│ weaver\.Main │/);
    const objects = parseStream(readFileSync(join(dir, "out", "reverser-5eed0006.yaml"), "utf8"));
    expect(objects.map((o) => o.kind)).not.toContain("Secret");
    expect(checkStream(objects)).toEqual([]);
  });

  it("rolls out from --from when versions.json does not know the version, assuming its layout", () => {
    const out = tempDir("from");
    dirs.push(out);
    const file = join(ROOT, "packages/kube/testdata/rollout/kube.yaml");
    runDeploy(file, "5eed0007-0000-4000-8000-000000000007", { out, from: "0ld00000" });
    const step = readFileSync(join(out, "rollout-5eed0007", "1-10.yaml"), "utf8");
    expect(step).toMatch(
      /- name: lis-0ld00000\n {10}port: 8000\n {10}weight: 90\n {8}- name: lis-5eed0007\n {10}port: 8000\n {10}weight: 10/,
    );
    expect(() =>
      runDeploy(join(ROOT, "examples/reverser/kube.yaml"), "5eed0008-0000-4000-8000-000000000008", { out, from: "0ld00000" }),
    ).toThrow(/--from 0ld00000: .*has no rollout/);
  });

  it("finds groups by name, by a component's full name, or by the last part of the name", () => {
    const dir = tempDir("groups");
    dirs.push(dir);
    const groups =
      'groups:\n  "reverser/Reverser": {scaling: {minReplicas: 2}}\n  converter: {resources: {limits: {cpu: "1"}}}\n  weaver.Main: {scaling: {maxReplicas: 3}}\n';
    writeFileSync(
      join(dir, "kube.yaml"),
      `appConfig: ../examples/reverser/weaver.toml\nimage: ghcr.io/me/reverser:v1\nmtls: false\n${groups}`,
    );
    runDeploy(join(dir, "kube.yaml"), "5eed0009-0000-4000-8000-000000000009", { out: join(dir, "out") });
    const objects = parseStream(readFileSync(join(dir, "out", "reverser-5eed0009.yaml"), "utf8"));
    const spec = (name: string): Loose => objects.find((o) => o.metadata?.name === name && o.kind === "HorizontalPodAutoscaler")?.["spec"];
    expect(spec("reverser-reverser-reverser-5eed0009")).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(spec("reverser-weaver-main-5eed0009")).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    const converter: Loose = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "reverser-reverser-converter-5eed0009");
    expect(converter.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "1" },
    });
    writeFileSync(
      join(dir, "kube.yaml"),
      `appConfig: ../examples/reverser/weaver.toml\nimage: ghcr.io/me/reverser:v1\ngroups:\n  main: {}\n  weaver/Main: {}\n`,
    );
    expect(() => runDeploy(join(dir, "kube.yaml"), "5eed0010-0000-4000-8000-000000000010", { out: join(dir, "out2") })).toThrow(
      /kube\.yaml:5: groups\."weaver\/Main": names group "weaver\.Main" again; give each group once/,
    );
  });

  it("runs as a process: writes the manifests and prints the plan", () => {
    const out = tempDir("process");
    dirs.push(out);
    const r = spawnSync(process.execPath, ["packages/kube/bin/weaver-kube.js", "deploy", "examples/reverser/kube.yaml", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/docker build -f .*Dockerfile -t ghcr.io\/example\/reverser:v1 examples\/reverser/);
    expect(r.stdout).toMatch(/kubectl apply -f .*reverser-[0-9a-f]{8}\.yaml/);
    expect(r.stdout).toMatch(/│ lis +│ lis +│ LoadBalancer │ 80 +│ weaver\.Main │/);
    expectValid(out);
  });
});

describe("weaver kube deploy refuses bad input", () => {
  const base = "appConfig: ../examples/reverser/weaver.toml\nimage: ghcr.io/me/reverser:v1\n";
  const cases: [string, string, RegExp][] = [
    [
      "a listener the app does not declare",
      `${base}listeners:\n  web: {public: true}\n`,
      /kube\.yaml:4: listeners\.web: app reverser declares no listener web; its listeners are lis$/,
    ],
    [
      "a group that does not exist",
      `${base}groups:\n  billing: {}\n`,
      /kube\.yaml:4: groups\.billing: app reverser has no group billing; its groups are "weaver\.Main", "reverser\.Converter", "reverser\.Reverser"/,
    ],
    [
      "a quantity that does not parse",
      `${base}groups:\n  reverser.Reverser:\n    resources:\n      requests: {cpu: 100x}\n`,
      /kube\.yaml:6: groups\."reverser\.Reverser"\.resources\.requests\.cpu: "100x" is not a quantity/,
    ],
    [
      "a bad image reference",
      "appConfig: ../examples/reverser/weaver.toml\nimage: GHCR.io/Me/Reverser:v1\n",
      /kube\.yaml:2: image: "GHCR\.io\/Me\/Reverser:v1" is not an image reference; give \[registry/,
    ],
    ["a namespace that is not a DNS label", `${base}namespace: My_Apps\n`, /kube\.yaml:3: namespace: "My_Apps" is not a DNS label/],
    ["an unknown key", `${base}replicas: 3\n`, /kube\.yaml:3: replicas: unknown key; the keys here are appConfig, image, namespace/],
    [
      "a port out of range",
      `${base}listeners:\n  lis: {port: 70000}\n`,
      /kube\.yaml:4: listeners\.lis\.port: 70000 is not a port; give a whole number from 1 to 65535/,
    ],
    [
      "a platform no node has",
      `${base}platform: linux/x86\n`,
      /kube\.yaml:3: platform: "linux\/x86" is not a platform; give linux\/<arch>/,
    ],
    ["a missing image", "appConfig: ../examples/reverser/weaver.toml\n", /kube\.yaml:1: image: is missing; give the image/],
    ["a rollout without a gateway", `${base}rollout: 10m\n`, /kube\.yaml:3: gateway: is missing/],
    ["a YAML syntax error", `${base}listeners: [\n`, /kube\.yaml:\d+: \(syntax\): .*fix the YAML syntax/],
  ];
  for (const [what, text, expected] of cases) {
    it(`${what}: one error at its line, nothing written`, () => {
      const dir = tempDir("bad");
      dirs.push(dir);
      const file = join(dir, "kube.yaml");
      writeFileSync(file, text);
      const out = join(dir, "out");
      expect(() => runDeploy(file, "5eed0005-0000-4000-8000-000000000005", { out })).toThrow(expected);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("reports every problem at once, as a process with exit status 1", () => {
    const dir = tempDir("bad");
    dirs.push(dir);
    writeFileSync(
      join(dir, "kube.yaml"),
      `appConfig: ../examples/reverser/weaver.toml\nimage: bad image\nnamespace: -x\nlisteners:\n  nope: {}\n`,
    );
    const r = spawnSync(process.execPath, ["packages/kube/bin/weaver-kube.js", "deploy", join(dir, "kube.yaml")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /kube\.yaml: 3 problems:\n {2}.*kube\.yaml:2: image: .*\n {2}.*kube\.yaml:3: namespace: .*\n {2}.*kube\.yaml:5: listeners\.nope: /,
    );
    expect(existsSync(join(dir, "deploy"))).toBe(false);
  });
});
