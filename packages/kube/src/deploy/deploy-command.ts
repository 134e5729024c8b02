/**
 * `weaver kube deploy <kube.yaml> [--out <dir>]`: checks kube.yaml and the app it names, then
 * writes a new version's manifests (one YAML stream), the app's Dockerfile, with `rollout` the
 * HTTPRoute steps from the previous version, and records the version in versions.json; prints
 * what to run next. Nothing is written when any problem exists.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { runtimeError, shownPath } from "@weaver/runtime";
import { newCommand } from "@weaver/runtime/tool";
import { planApp } from "./app-plan.js";
import { GENERATED, dockerfile, dockerignore } from "./dockerfile.js";
import { readKubeConfig } from "./kube-config.js";
import { versionObjects } from "./manifests.js";
import { printPlan } from "./print-plan.js";
import { rolloutSteps, rolloutStreamObjects } from "./rollout-objects.js";
import { appendVersion, previousVersion, readVersions, versionRecord, VERSIONS_FILE } from "./versions.js";

/**
 * Fixes the deployment id (a UUID) instead of a random one, so that tests can compare the output
 * with golden files. Not for deploys: two versions with one id would share their objects.
 */
export const DEPLOYMENT_ID_ENV = "WEAVER_KUBE_DEPLOYMENT_ID";

/** The default out folder, relative to kube.yaml's. */
export const DEFAULT_OUT = join("deploy", "kube");

/** Options of deploy. */
export interface DeployOptions {
  readonly out?: string;
  readonly from?: string;
}

/** Objects as one YAML stream, after a generated-by comment. */
export function yamlStream(objects: readonly object[]): string {
  return `# ${GENERATED}.\n${objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n")}`;
}

/** Runs deploy; returns the out folder. Throws a WeaverError listing every problem. */
export function deploy(file: string, options: DeployOptions = {}): string {
  const { config, yaml } = readKubeConfig(file);
  const plan = yaml.problems.length === 0 || config.appConfig !== "" ? planApp(config, yaml) : undefined;
  yaml.failIfProblems();
  if (plan === undefined) throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${file}: appConfig is missing`);
  const deployment = process.env[DEPLOYMENT_ID_ENV] ?? randomUUID();
  const version = deployment.slice(0, 8).toLowerCase();
  if (!/^[a-z0-9]{8}$/.test(version))
    throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${DEPLOYMENT_ID_ENV}=${deployment}: a deployment id is a UUID`);
  const out = options.out ?? join(dirname(file), DEFAULT_OUT);
  let records: ReturnType<typeof readVersions>;
  try {
    records = readVersions(out);
  } catch (e) {
    throw runtimeError("WEAVER_ERR_CONFIG_READ", (e as Error).message);
  }
  const rollout = config.rolloutMs !== undefined;
  if (options.from !== undefined && !rollout)
    throw runtimeError(
      "WEAVER_ERR_CONFIG_KEY",
      `--from ${options.from}: ${file} has no rollout; set rollout and gateway to move traffic in steps`,
    );
  const previous = rollout ? previousVersion(records, plan, options.from) : undefined;
  if (previous?.version === version) throw runtimeError("WEAVER_ERR_CONFIG_KEY", `--from ${options.from}: that is this version`);
  const v = versionObjects(plan, { deployment, version });
  const objects = rollout ? [...v.objects, ...rolloutStreamObjects(plan, version, previous)] : v.objects;

  mkdirSync(out, { recursive: true });
  const stream = join(out, `${plan.appLabel}-${version}.yaml`);
  // The stream holds the CA's private key when mTLS is on: only its owner may read it.
  writeFileSync(stream, yamlStream(objects), { mode: v.holdsKey ? 0o600 : 0o644 });
  if (v.holdsKey) chmodSync(stream, 0o600);
  writeFileSync(join(out, "Dockerfile"), dockerfile(plan));
  writeFileSync(join(out, "Dockerfile.dockerignore"), dockerignore(plan, out));
  const steps = previous === undefined ? [] : rolloutSteps(plan, version, previous);
  if (steps.length > 0) {
    mkdirSync(join(out, `rollout-${version}`), { recursive: true });
    for (const s of steps) writeFileSync(join(out, `rollout-${version}`, s.file), yamlStream(s.objects));
  }
  writeFileSync(join(out, VERSIONS_FILE), appendVersion(records, versionRecord(plan, version, deployment)));
  process.stdout.write(printPlan({ plan, version, out: shownPath(out), stream: shownPath(stream), holdsKey: v.holdsKey, previous, steps }));
  return out;
}

/** Creates the `weaver kube deploy` command. */
export function deployCommand(): Command {
  return newCommand({
    path: ["kube", "deploy"],
    summary: "Write the manifests and Dockerfile of a new version of an app",
    usage: "<kube.yaml> [--out <dir>] [--from <version>]",
    notes:
      "Nothing is deployed: build and push the image and kubectl apply the manifests as printed. The app must be built and " +
      `depend on @weaver/kube. The out folder defaults to ${DEFAULT_OUT} beside kube.yaml.`,
    examples: [
      { comment: "Write the manifests of the reverser example.", command: "weaver kube deploy examples/reverser/kube.yaml" },
      { comment: "Into a folder of your choice.", command: "weaver kube deploy kube.yaml --out ./manifests" },
    ],
  })
    .argument("<kube.yaml>", "the deployment's config (appConfig, image, listeners, groups, ...)")
    .option("--out <dir>", `where to write the manifests (default: ${DEFAULT_OUT} beside kube.yaml)`)
    .option("--from <version>", "with rollout: the version to roll out from (default: the last one in <out>/versions.json)")
    .action((file: string, opts: DeployOptions) => {
      deploy(file, opts);
    });
}
