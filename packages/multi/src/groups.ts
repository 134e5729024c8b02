/**
 * Groups: the unit the multi deployer replicates. Each `[serviceweaver] colocate` list is a group;
 * every other component (Main included) is a group of its own. A group's name is the short name
 * of its first component, and `[multi] groups."<name>".replicas` sets its replica count
 * (default: `[multi] replicas`, else 2).
 */
import {
  MAIN_COMPONENT,
  colocationGroups,
  defineSection,
  parseDuration,
  sectionOf,
  shortName,
  type AppConfig,
  type ListenerConfig,
  type Manifest,
} from "@weaver/runtime";
import { sharedPortProblems } from "./listener-addresses.js";

/** The default number of replicas of a group. */
export const DEFAULT_REPLICAS = 2;

/** The most replicas a group may have. */
const MAX_REPLICAS = 64;

/** The keys of [multi]. */
export interface MultiConfig {
  readonly listeners?: Readonly<Record<string, ListenerConfig>>;
  readonly replicas?: number;
  readonly groups?: Readonly<Record<string, { readonly replicas?: number }>>;
  /** Mutual TLS between replicas (default: the transport's, off for the Unix sockets multi uses). */
  readonly mtls?: boolean;
  /** How long each mTLS certificate is valid, e.g. "1h" (see CERT_LIFETIME). */
  readonly cert_lifetime?: string;
}

/** The shortest and longest certificate lifetimes [multi] cert_lifetime may set. */
const CERT_LIFETIME = { min: 2_000, max: 30 * 24 * 3_600_000 };

/** The [multi] section of weaver.toml: listener proxies and replica counts. */
export const MULTI_SECTION = defineSection<MultiConfig>({
  name: "multi",
  doc: "The multi-process deployer (weaver multi deploy): where each listener listens, how many replicas each group has, and whether replicas use mutual TLS.",
  listeners: true,
  keys: {
    replicas: { schema: { kind: "number" }, doc: `Replicas of every group, 1 to ${MAX_REPLICAS} (default ${DEFAULT_REPLICAS}).` },
    groups: {
      schema: { kind: "record", value: { kind: "object", fields: { replicas: { schema: { kind: "number" }, optional: true } } } },
      doc: 'Per group, named after its first component ("reverser.Reverser"): its replicas.',
    },
    mtls: {
      schema: { kind: "boolean" },
      doc:
        "Mutual TLS between replicas: each group gets short-lived certificates from a CA of the deployment, and a replica serves a " +
        "caller only the components its group has refs to (default false: the replicas' Unix sockets are in a folder only you can enter).",
    },
    cert_lifetime: {
      schema: { kind: "string" },
      doc: 'How long each mTLS certificate is valid before it is replaced (renewed at two thirds), e.g. "10m" (default "1h").',
    },
  },
  check: (multi, { config, manifest }) => {
    // Two listeners on one port would fail as the second one binds: say so before anything does.
    const problems = sharedPortProblems(multi.listeners ?? {});
    const count = (key: string, n: number | undefined): void => {
      if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= MAX_REPLICAS))
        problems.push(`${key} = ${n}: the replica count must be a whole number from 1 to ${MAX_REPLICAS}`);
    };
    count("replicas", multi.replicas);
    if (multi.cert_lifetime !== undefined) {
      const ms = parseDuration(multi.cert_lifetime);
      if (ms === undefined || ms < CERT_LIFETIME.min || ms > CERT_LIFETIME.max)
        problems.push(`cert_lifetime = "${multi.cert_lifetime}": give a duration from "2s" to "720h", such as "1h" or "10m"`);
    }
    const names = manifest === undefined ? undefined : colocationGroups(manifest, config).map((l) => shortName(l[0] as string));
    for (const [name, group] of Object.entries(multi.groups ?? {})) {
      if (names !== undefined && !names.includes(name)) {
        problems.push(
          `groups."${name}": no group is named ${name}; groups are named after their first component: ${names.map((n) => `"${n}"`).join(", ")}`,
        );
      }
      count(`groups."${name}".replicas`, group?.replicas);
    }
    return problems;
  },
});

/** A group of components that share processes. */
export interface Group {
  readonly name: string;
  /** Full names, in status order. */
  readonly components: readonly string[];
  readonly replicas: number;
}

/** Computes the groups of an app under a config (checked against the app with MULTI_SECTION). */
export function computeGroups(manifest: Manifest, config: AppConfig): Group[] {
  const multi = sectionOf(config, MULTI_SECTION);
  return colocationGroups(manifest, config).map((components) => {
    const name = shortName(components[0] as string);
    return { name, components, replicas: multi.groups?.[name]?.replicas ?? multi.replicas ?? DEFAULT_REPLICAS };
  });
}

/** Whether a group runs Main. */
export function hostsMain(group: Group): boolean {
  return group.components.includes(MAIN_COMPONENT);
}

/**
 * The group named `name`: by its name or first component ("weaver.Main", "weaver/Main"), else by
 * the last part of its name in any case ("main") when only one group has it.
 */
export function findGroup(groups: readonly Group[], name: string): Group | undefined {
  const exact = groups.find((g) => g.name === name || g.components[0] === name);
  const loose = groups.filter((g) => g.name.split(".").pop()?.toLowerCase() === name.toLowerCase());
  return exact ?? (loose.length === 1 ? loose[0] : undefined);
}
