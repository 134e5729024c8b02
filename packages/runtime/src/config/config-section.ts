/**
 * Deployer sections of weaver.toml. A deployer declares its section ([multi], [kube]) with
 * defineSection(): its keys with their types and docs, whether it places listeners, and the checks
 * types cannot express. The loader (config.ts) checks a declared section like the built-in ones
 * and reports its problems together with every other problem of the file. The [single] section is
 * declared here, since every app process is its own single-process deployer.
 */
import type { Manifest } from "../generated/manifest.js";
import { describeSchema, type ConfigSchema } from "./config-schema.js";
import type { AppConfig } from "./config.js";

/** One key of a section. */
export interface SectionKey {
  readonly schema: ConfigSchema;
  /** One sentence on what the key does, for help and docs. */
  readonly doc: string;
  /** Whether the section must give it; optional by default. */
  readonly required?: boolean;
}

/** What a section's own check is given. */
export interface SectionContext {
  /** The whole config (other sections checked as far as they could be). */
  readonly config: AppConfig;
  /** The app, when the config is checked against it. */
  readonly manifest: Manifest | undefined;
}

/** A deployer's section of weaver.toml, as the deployer declares it. */
export interface ConfigSection<T extends object = Readonly<Record<string, unknown>>> {
  /** The table's name, e.g. "multi" for [multi]; by convention the deployer's name. */
  readonly name: string;
  /** One sentence on what the section configures. */
  readonly doc: string;
  /** Its keys. */
  readonly keys: Readonly<Record<string, SectionKey>>;
  /**
   * Whether the section places listeners: `listeners.<name> = {address = "host:port"}`. The loader
   * checks each address, and, against the app, that the app declares each listener.
   */
  readonly listeners?: boolean;
  /**
   * Checks what types cannot say (ranges, names of groups), once the keys have their types.
   * Returns each problem as `key: what is wrong; the fix`; problems of `listeners.<name>` keys
   * are reported as listener problems (WEAVER_ERR_CONFIG_LISTENER), the others as key problems.
   */
  check?(value: T, context: SectionContext): readonly string[];
}

/** The options of one listener in a section that places listeners. */
export interface ListenerConfig {
  /** `host:port` to listen on; port 0 picks a free port. */
  readonly address?: string;
}

/** Declares a deployer's section (an identity function that checks the declaration's shape). */
export function defineSection<T extends object>(section: ConfigSection<T>): ConfigSection<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(section.name)) {
    throw new Error(`a config section's name is a lowercase word such as "kube", not ${JSON.stringify(section.name)}`);
  }
  return section;
}

/** The schema of the `listeners` key. */
const LISTENERS: ConfigSchema = {
  kind: "record",
  value: { kind: "object", fields: { address: { schema: { kind: "string" }, optional: true } } },
};

/** The schema a section's table is checked against. */
export function sectionSchema(section: ConfigSection<object>): ConfigSchema & { kind: "object" } {
  const fields: Record<string, { schema: ConfigSchema; optional: boolean }> = {};
  if (section.listeners === true) fields["listeners"] = { schema: LISTENERS, optional: true };
  for (const [key, k] of Object.entries(section.keys)) fields[key] = { schema: k.schema, optional: k.required !== true };
  return { kind: "object", fields };
}

/** A section's keys in words, for documentation: `replicas (number): Replicas of every group.` */
export function describeSection(section: ConfigSection<object>): string[] {
  const lines = section.listeners === true ? ['listeners.<name>.address (string "host:port"): where listener <name> listens.'] : [];
  for (const [key, k] of Object.entries(section.keys))
    lines.push(`${key} (${describeSchema(k.schema)}${k.required === true ? ", required" : ""}): ${k.doc}`);
  return lines;
}

/** The [single] section: where the listeners of an app run in one process bind. */
export const SINGLE_SECTION = defineSection<{ readonly listeners?: Readonly<Record<string, ListenerConfig>> }>({
  name: "single",
  doc: "The single-process deployer (weaver single deploy, or the app run with node).",
  keys: {},
  listeners: true,
});

/** A section's value in a loaded config (its declaration's keys, as checked), or {} when the file has none. */
export function sectionOf<T extends object>(config: AppConfig, section: ConfigSection<T>): T {
  return (config.sections[section.name] ?? {}) as T;
}

/** The address a section gives a listener, if it gives one. */
export function listenerAddress(config: AppConfig, section: string, listener: string): string | undefined {
  const listeners = config.sections[section]?.["listeners"] as Readonly<Record<string, ListenerConfig>> | undefined;
  return listeners !== undefined && Object.hasOwn(listeners, listener) ? listeners[listener]?.address : undefined;
}
