import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkStream, parseStream } from "./manifest-check.test.util.js";
import type { K8sObject } from "./manifest-schemas.test.util.js";
import { ROOT, runDeploy, tempDir } from "./test-deploy.test.util.js";

// Tests reach into objects by their known shape: any keeps the cases short.
// biome-ignore lint/suspicious/noExplicitAny: test data of a known shape
type Obj = any;
let good: K8sObject[];
const dirs: string[] = [];

beforeAll(() => {
  const out = tempDir("check");
  dirs.push(out);
  runDeploy(join(ROOT, "examples/reverser/kube.yaml"), "0a1b2c3d-0000-4000-8000-000000000000", { out });
  good = parseStream(
    ...readdirSync(out)
      .filter((f) => f.startsWith("reverser-"))
      .map((f) => readFileSync(join(out, f), "utf8")),
  );
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The stream with `change` applied to a copy. */
function broken(change: (objects: Obj[]) => void): string[] {
  const objects = structuredClone(good) as Obj[];
  change(objects);
  return checkStream(objects as K8sObject[]);
}
const find = (objects: Obj[], kind: string, i = 0): Obj => objects.filter((o) => o["kind"] === kind)[i] as Obj;
const container = (objects: Obj[]): Obj => find(objects, "Deployment").spec.template.spec.containers[0];

describe("the manifest checks", () => {
  it("pass the reverser's stream", () => {
    expect(good.map((o) => o.kind)).toContain("HorizontalPodAutoscaler");
    expect(checkStream(good)).toEqual([]);
  });

  const cases: [string, (o: Obj[]) => void, RegExp][] = [
    ["a value of the wrong type", (o) => (container(o).ports[0].containerPort = "10000"), /containerPort must be integer/],
    [
      "an unknown field in a container",
      (o) => (container(o).imagePullPolicyy = "Always"),
      /unknown field spec\.template\.spec\.containers\[0\]\.imagePullPolicyy/,
    ],
    ["an unknown field in metadata", (o) => (find(o, "ConfigMap").metadata.lables = {}), /unknown field metadata\.lables/],
    [
      "an unknown field of an HPA",
      (o) => (find(o, "HorizontalPodAutoscaler").spec.targetCPUUtilizationPercentage = 80),
      /unknown field spec\.targetCPUUtilizationPercentage/,
    ],
    [
      "a kind the checks do not know",
      (o) => (find(o, "Role").apiVersion = "rbac.authorization.k8s.io/v1beta1"),
      /not a kind the checks know/,
    ],
    [
      "an object name that is not a DNS subdomain",
      (o) => (find(o, "ConfigMap").metadata.name = "Reverser_x"),
      /ConfigMap\/Reverser_x: the name is not a DNS subdomain/,
    ],
    [
      "a Service name that is not a DNS-1035 label",
      (o) => (find(o, "Service").metadata.name = "1lis"),
      /Service\/1lis: the name is not a DNS-1035 label/,
    ],
    ["a namespace that is not a DNS label", (o) => (find(o, "Secret").metadata.namespace = "my.ns"), /namespace my\.ns is not a DNS label/],
    ["a label value over 63 characters", (o) => (find(o, "Role").metadata.labels["weaver.dev/app"] = "a".repeat(64)), /not a label value/],
    [
      "a selector that does not match the pod labels",
      (o) => (find(o, "Deployment").spec.selector.matchLabels["weaver.dev/group"] = "other"),
      /does not match the pod template's labels/,
    ],
    ["a port name over 15 characters", (o) => (container(o).ports[2].name = "a-very-long-port-name"), /not an IANA service name/],
    ["a port name used twice", (o) => (container(o).ports[2].name = "weaver-rpc"), /port name weaver-rpc is used twice/],
    ["a missing ConfigMap", (o) => o.splice(o.indexOf(find(o, "ConfigMap")), 1), /refers to ConfigMap\/.*, not in the stream/],
    ["a missing Secret", (o) => o.splice(o.indexOf(find(o, "Secret")), 1), /refers to Secret\/.*, not in the stream/],
    ["a missing ServiceAccount", (o) => o.splice(o.indexOf(find(o, "ServiceAccount")), 1), /serviceAccountName .* is not in the stream/],
    ["a missing Role", (o) => o.splice(o.indexOf(find(o, "Role")), 1), /roleRef Role\/.* is not in the stream/],
    [
      "a RoleBinding subject that is missing",
      (o) => (find(o, "RoleBinding").subjects[0].name = "nobody"),
      /subject ServiceAccount\/nobody is not in the stream/,
    ],
    [
      "an HPA whose Deployment is missing",
      (o) => (find(o, "HorizontalPodAutoscaler").spec.scaleTargetRef.name = "gone"),
      /scaleTargetRef Deployment\/gone is not in the stream/,
    ],
    [
      "a Service that selects no pods",
      (o) => (find(o, "Service").spec.selector["weaver.dev/version"] = "00000000"),
      /selector matches the pods of no Deployment/,
    ],
    [
      "a Service targeting no container port",
      (o) => (find(o, "Service").spec.ports[0].targetPort = "nope"),
      /targetPort nope is no container port/,
    ],
    [
      "a probe on a port that is not there",
      (o) => (container(o).readinessProbe.httpGet.port = "health"),
      /readinessProbe port health is no container port/,
    ],
    [
      "a volume mount without its volume",
      (o) => container(o).volumeMounts.push({ name: "data", mountPath: "/data" }),
      /volumeMount data names no volume/,
    ],
    ["two objects of one kind and name", (o) => o.push(structuredClone(find(o, "ConfigMap"))), /two objects of this kind have this name/],
    [
      "an HTTPRoute to a missing Service",
      (o) =>
        o.push({
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "lis", namespace: "default" },
          spec: { parentRefs: [{ name: "web" }], rules: [{ backendRefs: [{ name: "lis-0000", port: 80, weight: 100 }] }] },
        }),
      /backendRef Service\/lis-0000 port 80 is not in the stream/,
    ],
  ];
  for (const [what, change, expected] of cases) {
    it(`catch ${what}`, () => {
      const problems = broken(change);
      expect(problems.join("\n")).toMatch(expected);
    });
  }
});
