/**
 * The checks of weaver.toml that need the app: against its manifest (run by deployers before
 * anything starts, with secret references unresolved, as part of parseConfig or by
 * validateConfig) and against one component's config type with secrets resolved
 * (componentConfig, run in the app process).
 */
import { dirname } from "node:path";
import { fail, type AppConfig, type Problem } from "./config.js";
import { SINGLE_SECTION, type ConfigSection } from "./config-section.js";
import { checkTable, type ConfigSchema } from "./config-schema.js";
import { runtimeError } from "../errors.js";
import type { Manifest } from "../generated/manifest.js";
import { shortName } from "../names.js";

/**
 * Checks a parsed config against an app's manifest (see manifestProblems); throws one error that
 * lists every problem. `sections` are the declared deployer sections ([single] is always one).
 */
export function validateConfig(config: AppConfig, manifest: Manifest, sections: readonly ConfigSection<object>[] = []): void {
  const problems = manifestProblems(config, manifest, [SINGLE_SECTION, ...sections]);
  if (problems.length > 0) fail(config.file || "config (none given; set SERVICEWEAVER_CONFIG)", problems);
}

/**
 * The problems of a config against an app's manifest: component sections name real components and
 * match their config types, colocation groups name real components once each, the sections that
 * place listeners place only listeners the app declares, and each declared section passes its own
 * check. Secret references stay unresolved.
 */
export function manifestProblems(config: AppConfig, manifest: Manifest, declared: readonly ConfigSection<object>[]): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map(manifest.components.map((c) => [c.name, c]));
  const known = (): string => manifest.components.map((c) => `"${c.name}"`).join(", ");

  for (const [name, section] of Object.entries(config.components)) {
    const component = byName.get(name);
    if (component === undefined) {
      const byShort = manifest.components.find((c) => c.short === name || c.name.endsWith(`/${name}`));
      const hint = byShort !== undefined ? `did you mean ["${byShort.name}"]?` : `components: ${known()}`;
      problems.push({ code: "WEAVER_ERR_CONFIG_COMPONENT", text: `["${name}"]: app ${manifest.app} has no component ${name}; ${hint}` });
      continue;
    }
    if (component.config === null || component.config.kind !== "object") {
      problems.push({
        code: "WEAVER_ERR_CONFIG_KEY",
        text: `["${name}"]: component ${component.short} takes no config; give it a config type with Implements<I, Config>() or remove the section`,
      });
      continue;
    }
    const errors: string[] = [];
    checkTable(component.config, section, "", errors, "keep");
    for (const e of errors) problems.push({ code: "WEAVER_ERR_CONFIG_KEY", text: `["${name}"] ${e}` });
  }
  for (const component of manifest.components) {
    const schema = component.config;
    if (schema?.kind !== "object" || component.name in config.components) continue;
    const required = Object.entries(schema.fields)
      .filter(([, f]) => !f.optional)
      .map(([k]) => k);
    if (required.length > 0) {
      problems.push({
        code: "WEAVER_ERR_CONFIG_KEY",
        text: `["${component.name}"] is missing; component ${component.short} requires ${required.join(", ")}`,
      });
    }
  }

  const placed = new Set<string>();
  config.colocate.forEach((group, i) => {
    for (const name of Array.isArray(group) ? group : []) {
      if (!byName.has(name)) {
        problems.push({
          code: "WEAVER_ERR_CONFIG_COMPONENT",
          text: `[serviceweaver] colocate[${i}]: unknown component "${name}"; components: ${known()}`,
        });
      } else if (placed.has(name)) {
        problems.push({
          code: "WEAVER_ERR_CONFIG_COMPONENT",
          text: `[serviceweaver] colocate[${i}]: component "${name}" is placed in more than one group`,
        });
      }
      placed.add(name);
    }
  });

  const listeners = new Set(manifest.components.flatMap((c) => c.listeners.map((l) => l.name)));
  for (const section of declared) {
    const value = config.sections[section.name];
    if (value === undefined) continue;
    for (const name of section.listeners === true ? Object.keys((value["listeners"] ?? {}) as object) : []) {
      if (!listeners.has(name)) {
        const names = listeners.size > 0 ? `declared listeners: ${[...listeners].join(", ")}` : "the app declares no listeners";
        problems.push({
          code: "WEAVER_ERR_CONFIG_LISTENER",
          text: `[${section.name}] listeners.${name}: no component declares listener ${name}; ${names}`,
        });
      }
    }
    for (const e of section.check?.(value, { config, manifest }) ?? []) {
      const code = e.startsWith("listeners.") ? "WEAVER_ERR_CONFIG_LISTENER" : "WEAVER_ERR_CONFIG_KEY";
      problems.push({ code, text: `[${section.name}] ${e}` });
    }
  }
  return problems;
}

/**
 * Returns a component's config with secret references resolved, checked against its type; throws
 * a config error when the section does not fit. Components without a config type get undefined.
 */
export function componentConfig(config: AppConfig, name: string, schema: ConfigSchema | null): unknown {
  if (schema === null || schema.kind !== "object") return undefined;
  const section = config.components[name] ?? {};
  const errors: string[] = [];
  const value = checkTable(schema, section, "", errors, { resolveFrom: config.file === "" ? process.cwd() : dirname(config.file) });
  if (errors.length > 0) {
    // Problems that remain with the references left unresolved are the section's own; when there
    // are none, every problem comes from a secret (unset, unreadable, or not of the field's type).
    const own: string[] = [];
    checkTable(schema, section, "", own, "keep");
    const where = config.file || "config";
    const lines = errors.map((e) => `  ["${name}"] ${e}`).join("\n");
    if (own.length === 0) {
      throw runtimeError(
        "WEAVER_ERR_CONFIG_SECRET",
        `${where}: cannot resolve the secrets in the config of component ${shortName(name)}:\n${lines}`,
      );
    }
    throw runtimeError("WEAVER_ERR_CONFIG_KEY", `${where}: config of component ${shortName(name)} does not fit its type:\n${lines}`);
  }
  return value;
}
