/**
 * kube.yaml against the app: loads weaver.toml and the app it names (built), forms the groups as
 * weaver multi does, and places each listener in the group whose component declares it. Problems
 * (a group or listener the app does not have, weaver.toml's own) join kube.yaml's, at the line of
 * the key they are about. A listener the app declares but kube.yaml does not give gets the defaults
 * (ClusterIP, port 80) and is marked so in the printed table.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { colocationGroups, loadDeployable, shortName, type Deployable } from "@weaver/runtime";
import { HEALTH_PORT_NAME, RPC_PORT_NAME } from "../wiring.js";
import { DEFAULTS, type KubeConfig, type ListenerSpec } from "./kube-config.js";
import { defaultGroup, type GroupSpec } from "./kube-groups.js";
import { dnsLabel, groupLabels, portName, serviceLabel } from "./names.js";
import { join, type YamlFile } from "./yaml-reader.js";

/** The first container port a group's listeners bind (then 8081, ...): unprivileged, as USER node needs. */
export const FIRST_LISTENER_PORT = 8080;

/** A listener of the app, placed. */
export interface PlanListener {
  readonly name: string;
  readonly spec: ListenerSpec;
  /** Whether kube.yaml gives it (else it has the defaults). */
  readonly given: boolean;
  readonly serviceName: string;
  /** The container port it binds in its group's pods, and that port's name. */
  readonly containerPort: number;
  readonly portName: string;
}

/** A group of the app, as weaver multi forms it. */
export interface PlanGroup {
  readonly name: string;
  readonly label: string;
  readonly components: readonly string[];
  readonly spec: GroupSpec;
  readonly listeners: readonly PlanListener[];
}

/** Everything the manifests are made from. */
export interface Plan {
  readonly kube: KubeConfig;
  readonly deployable: Deployable;
  /** The app's name and its DNS label. */
  readonly app: string;
  readonly appLabel: string;
  /** The folder the image is built from (the nearest with package.json above weaver.toml), and weaver.toml's path in it. */
  readonly appDir: string;
  readonly configPath: string;
  readonly configText: string;
  readonly configSha256: string;
  readonly groups: readonly PlanGroup[];
}

/** Checks kube.yaml against its app; returns the plan, or undefined with the problems added to `y`. */
export function planApp(kube: KubeConfig, y: YamlFile): Plan | undefined {
  if (kube.appConfig === "") return undefined;
  let d: Deployable;
  try {
    // kube.yaml is kube's config: the sections of other deployers ([multi], [ssh], ...) are theirs.
    d = loadDeployable(kube.appConfig, [], { otherSections: "any" });
  } catch (e) {
    y.problems.push({ line: kube.appConfigLine, key: "appConfig", text: (e as Error).message });
    return undefined;
  }
  const lists = colocationGroups(d.manifest, d.config);
  const names = lists.map((l) => shortName(l[0] as string));
  const labels = groupLabels(names);
  const specs = new Map<number, GroupSpec>();
  for (const [key, spec] of Object.entries(kube.groups)) {
    const i = findGroup(names, lists, key);
    if (i === undefined) {
      y.problems.push({
        line: spec.line,
        key: join("groups", key),
        text: `app ${d.manifest.app} has no group ${key}; its groups are ${names.map((n) => `"${n}"`).join(", ")} (named after their first component)`,
      });
    } else if (specs.has(i)) {
      y.problems.push({ line: spec.line, key: join("groups", key), text: `names group "${names[i]}" again; give each group once` });
    } else specs.set(i, spec);
  }
  const declared = new Map(d.manifest.components.flatMap((c) => c.listeners.map((l) => [l.name, c.name] as const)));
  for (const [name, spec] of Object.entries(kube.listeners)) {
    if (!declared.has(name)) {
      const known = declared.size === 0 ? "the app declares no listeners" : `its listeners are ${[...declared.keys()].join(", ")}`;
      y.problems.push({
        line: spec.line,
        key: join("listeners", name),
        text: `app ${d.manifest.app} declares no listener ${name}; ${known}`,
      });
    }
  }
  const services = new Map<string, string>();
  const groups = lists.map((components, i): PlanGroup => {
    const taken = new Set([RPC_PORT_NAME, HEALTH_PORT_NAME]);
    const hosted = [...declared]
      .filter(([, c]) => components.includes(c))
      .map(([l]) => l)
      .sort();
    const listeners = hosted.map((name, j): PlanListener => {
      const given = kube.listeners[name];
      const spec = given ?? { public: false, port: DEFAULTS.port, serviceName: undefined, line: 0 };
      const serviceName = spec.serviceName ?? serviceLabel(name);
      const other = services.get(serviceName);
      if (other !== undefined)
        y.problems.push({
          line: spec.line,
          key: join("listeners", name),
          text: `uses Service ${serviceName}, as listener ${other} does; give one of them another serviceName`,
        });
      services.set(serviceName, name);
      const port = portName(name, taken);
      taken.add(port);
      return { name, spec, given: given !== undefined, serviceName, containerPort: FIRST_LISTENER_PORT + j, portName: port };
    });
    return { name: names[i] as string, label: labels[i] as string, components, spec: specs.get(i) ?? defaultGroup(), listeners };
  });
  const configText = readFileSync(d.config.file, "utf8");
  const appDir = packageDir(dirname(d.config.file));
  const app = d.config.name ?? d.manifest.app;
  return {
    kube,
    deployable: d,
    app,
    appLabel: dnsLabel(app, 30),
    appDir,
    configPath: relative(appDir, d.config.file),
    configText,
    configSha256: createHash("sha256").update(configText).digest("hex"),
    groups,
  };
}

/**
 * The group `key` names: by its name ("weaver.Main") or the full name of one of its components
 * ("weaver/Main"), else by the last part of its name in any case ("main") when only one group has
 * it (as weaver multi).
 */
function findGroup(names: readonly string[], lists: readonly string[][], key: string): number | undefined {
  const exact = names.findIndex((n, i) => n === key || lists[i]?.includes(key));
  if (exact >= 0) return exact;
  const loose = names.flatMap((n, i) => (n.split(".").pop()?.toLowerCase() === key.toLowerCase() ? [i] : []));
  return loose.length === 1 ? loose[0] : undefined;
}

/** The nearest folder at or above `dir` with a package.json (the app's package), else `dir`. */
function packageDir(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(`${d}/package.json`)) return d;
    if (dirname(d) === d) return dir;
  }
}
