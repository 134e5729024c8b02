/**
 * weaver.toml: parsing and validation.
 *
 * Sections: `[serviceweaver]` (alias `[weaver]`; both at once is an error) with the app-wide keys;
 * one section per deployer, which the deployer declares (ConfigSection: [single] is built in,
 * [multi] comes with the multi deployer, a plugin declares its own); one section per component,
 * keyed by its full name (`["reverser/Reverser"]`). parseConfig checks the syntax, [serviceweaver]
 * and every declared section; given the app's manifest it also checks the component sections, the
 * colocation groups, the listeners each section places and the sections' own checks (see
 * config-validate.ts). Every problem of the file is reported at once, naming the file, section and
 * key.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import { WeaverError, runtimeError, type RuntimeErrorCode } from "../errors.js";
import type { Manifest } from "../generated/manifest.js";
import { parseAddress } from "./address.js";
import { SINGLE_SECTION, sectionSchema, type ConfigSection } from "./config-section.js";
import { checkTable, type ConfigSchema } from "./config-schema.js";
import { manifestProblems } from "./config-validate.js";
import { closest } from "./closest.js";

/** A parsed weaver.toml. */
export interface AppConfig {
  /** Absolute path of the config file ("" when the app runs without one). */
  readonly file: string;
  /** `[serviceweaver] name`, when given. */
  readonly name: string | undefined;
  /** `[serviceweaver] binary`, resolved against the config file's folder. */
  readonly binary: string | undefined;
  /** `[serviceweaver] args`, passed to every process of the app. */
  readonly args: readonly string[];
  /** `[serviceweaver] env`, `KEY=VALUE` entries set in every process of the app. */
  readonly env: readonly string[];
  /** `[serviceweaver] colocate`: groups of components that share a process. */
  readonly colocate: readonly (readonly string[])[];
  /** `[serviceweaver] rollout` in milliseconds, when given. */
  readonly rolloutMs: number | undefined;
  /** `[serviceweaver] traces_per_second`: about how many requests start a trace each second (0: none). */
  readonly tracesPerSecond: number;
  /** `[serviceweaver] otlp_endpoint`: an OTLP/HTTP collector spans are also sent to, when given. */
  readonly otlpEndpoint: string | undefined;
  /** `[serviceweaver] init_timeout` in milliseconds: how long each component's init() may take. */
  readonly initTimeoutMs: number;
  /** `[serviceweaver] start_timeout` in milliseconds: how long a deployer waits for a process to be ready. */
  readonly startTimeoutMs: number;
  /**
   * Deployer sections by name: the declared ones as their declarations checked them (see
   * sectionOf), the others as written.
   */
  readonly sections: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Component sections by full name, checked against the app's config types when the config is
   * validated against its manifest (which also refuses sections keyed by a name that is not a
   * component's, such as a short name).
   */
  readonly components: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const string = { kind: "string" } as const;
const strings = { kind: "array", element: string } as const;
const opt = (schema: ConfigSchema) => ({ schema, optional: true });

const SERVICEWEAVER: ConfigSchema & { kind: "object" } = {
  kind: "object",
  fields: {
    name: opt(string),
    binary: opt(string),
    args: opt(strings),
    env: opt(strings),
    colocate: opt({ kind: "array", element: strings }),
    rollout: opt(string),
    traces_per_second: opt({ kind: "number" }),
    otlp_endpoint: opt(string),
    init_timeout: opt(string),
    start_timeout: opt(string),
  },
};

/** Traces started per second when the config says nothing: about one, as the Go framework does. */
export const DEFAULT_TRACES_PER_SECOND = 1;

/** How long each component's init() may take when the config says nothing. */
export const DEFAULT_INIT_TIMEOUT_MS = 30_000;

/** How long a deployer waits for a process to be ready when the config says nothing. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

/** A problem found in a config file, with the error code it maps to. */
export interface Problem {
  readonly code: RuntimeErrorCode;
  readonly text: string;
}

/** Throws one error listing every problem, with the code of the first. */
export function fail(file: string, problems: readonly Problem[]): never {
  const first = problems[0] as Problem;
  if (problems.length === 1) throw runtimeError(first.code, `${file}: ${first.text}`);
  const list = problems.map((p) => `  ${p.text}`).join("\n");
  throw runtimeError(first.code, `${file}: ${problems.length} problems:\n${list}`);
}

/** How a config is read: which sections it may have, and what it is checked against. */
export interface ConfigOptions {
  /** The deployer sections to check, besides [single], which every app has. */
  readonly sections?: readonly ConfigSection<object>[];
  /**
   * Sections of other deployers, kept as written and left to them: their names, or "any" to take
   * every other lowercase section for one (an app process, whose deployer has checked the file).
   * An unknown section is an error otherwise.
   */
  readonly others?: readonly string[] | "any";
  /**
   * The app: when given, the config is also checked against it (component sections, colocation,
   * listeners). A function is given the config as parsed so far, to find the app from it
   * (`[serviceweaver] binary`); what it throws is reported with the file's other problems.
   */
  readonly manifest?: Manifest | ((config: AppConfig) => Manifest);
}

/** An empty config, for apps run without a config file. */
export function emptyConfig(): AppConfig {
  return {
    file: "",
    name: undefined,
    binary: undefined,
    args: [],
    env: [],
    colocate: [],
    rolloutMs: undefined,
    tracesPerSecond: DEFAULT_TRACES_PER_SECOND,
    otlpEndpoint: undefined,
    initTimeoutMs: DEFAULT_INIT_TIMEOUT_MS,
    startTimeoutMs: DEFAULT_START_TIMEOUT_MS,
    sections: {},
    components: {},
  };
}

/** Reads and parses a config file; throws WEAVER_ERR_CONFIG_READ or a parse/validation error. */
export function loadConfig(file: string, options: ConfigOptions = {}): AppConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (code ?? (e as Error).message);
    throw runtimeError("WEAVER_ERR_CONFIG_READ", `cannot read config file ${file}: ${why}`);
  }
  return parseConfig(text, path, options);
}

/**
 * Parses config text. `file` names the file in errors and anchors relative paths (binary). Throws
 * one error that lists every problem of the file.
 */
export function parseConfig(text: string, file: string, options: ConfigOptions = {}): AppConfig {
  const doc = parseToml(text, file);
  const problems: Problem[] = [];
  const keyErrors = (section: string, errors: readonly string[]): void => {
    for (const e of errors) problems.push({ code: "WEAVER_ERR_CONFIG_KEY", text: `[${section}] ${e}` });
  };
  const table = (section: string, value: unknown): Record<string, unknown> | undefined => {
    if (isTable(value)) return value;
    problems.push({ code: "WEAVER_ERR_CONFIG_SECTION", text: `${section} must be a table ([${section}]), not a value` });
    return undefined;
  };

  // `[weaver.Main]` (unquoted) parses as table weaver with sub-table Main: a component section
  // under its short name, not the [weaver] alias of [serviceweaver].
  const weaverTable = doc["weaver"];
  if (isTable(weaverTable)) {
    const nested = Object.keys(weaverTable).filter((k) => /^[A-Z]/.test(k) && isTable(weaverTable[k]));
    for (const k of nested) {
      problems.push({
        code: "WEAVER_ERR_CONFIG_SECTION",
        text: `unknown section [weaver.${k}]; component sections are keyed by full name in quotes, e.g. ["weaver/${k}"]`,
      });
      delete weaverTable[k];
    }
    if (nested.length > 0 && Object.keys(weaverTable).length === 0) delete doc["weaver"];
  }
  if ("serviceweaver" in doc && "weaver" in doc) {
    problems.push({
      code: "WEAVER_ERR_CONFIG_SECTION",
      text: "both [serviceweaver] and [weaver] are present; they are one section under two names, keep one",
    });
  }
  const swName = "weaver" in doc && !("serviceweaver" in doc) ? "weaver" : "serviceweaver";
  const swErrors: string[] = [];
  const sw = checkTable(SERVICEWEAVER, table(swName, doc[swName] ?? {}) ?? {}, "", swErrors, "keep");
  keyErrors(swName, swErrors);
  const app = appKeys(sw, (errors) => keyErrors(swName, errors));

  // Declared sections, in the order they are declared; [single] first.
  const declared = [SINGLE_SECTION, ...(options.sections ?? []).filter((s) => s.name !== SINGLE_SECTION.name)];
  const sections: Record<string, Record<string, unknown>> = {};
  for (const section of declared) {
    if (!(section.name in doc)) continue;
    const raw = table(section.name, doc[section.name]);
    if (raw === undefined) continue;
    const errors: string[] = [];
    const value = checkTable(sectionSchema(section), raw, "", errors, "keep");
    keyErrors(section.name, errors);
    for (const [lis, opts] of Object.entries((value["listeners"] ?? {}) as Record<string, { address?: unknown }>)) {
      if (typeof opts?.address !== "string") continue;
      const parsed = parseAddress(opts.address);
      if (typeof parsed === "string")
        problems.push({ code: "WEAVER_ERR_CONFIG_LISTENER", text: `[${section.name}] listeners.${lis}.address: ${parsed}` });
    }
    sections[section.name] = value;
  }

  const components: Record<string, Record<string, unknown>> = {};
  const known = [...declared.map((s) => s.name), ...(options.others === "any" ? [] : (options.others ?? []))];
  for (const [key, value] of Object.entries(doc)) {
    if (key === "serviceweaver" || key === "weaver" || declared.some((s) => s.name === key)) continue;
    // A quoted key with "/" is a component's full name; one with "." (e.g. ["reverser.Reverser"])
    // is most likely a short name: the checks against the manifest name the full one.
    if (key.includes("/") || key.includes(".")) {
      const t = table(key, value);
      if (t !== undefined) components[key] = t;
      continue;
    }
    const near = closest(key, ["serviceweaver", ...known]);
    const other = near === undefined && (options.others === "any" ? /^[a-z][a-z0-9-]*$/.test(key) : known.includes(key));
    if (other) {
      const t = table(key, value);
      if (t !== undefined) sections[key] = t;
      continue;
    }
    problems.push({ code: "WEAVER_ERR_CONFIG_SECTION", text: unknownSection(key, value, known, near) });
  }

  const binary = sw["binary"] as string | undefined;
  const config: AppConfig = {
    file,
    ...app,
    binary: binary === undefined ? undefined : resolve(dirname(file), binary),
    sections,
    components,
  };
  const manifest = appOf(config, options.manifest, problems);
  if (manifest !== undefined) problems.push(...manifestProblems(config, manifest, declared));
  if (problems.length > 0) fail(file, problems);
  return config;
}

/** The manifest options name, or undefined when none (a failure to find it is added to `problems`). */
function appOf(config: AppConfig, manifest: ConfigOptions["manifest"], problems: Problem[]): Manifest | undefined {
  if (typeof manifest !== "function") return manifest;
  try {
    return manifest(config);
  } catch (e) {
    if (!(e instanceof WeaverError) || problems.length === 0) throw e;
    // Its message names the file already when it is about the file; it is one problem among several.
    problems.push({
      code: e.code as RuntimeErrorCode,
      text: e.message.startsWith(`${config.file}: `) ? e.message.slice(config.file.length + 2) : e.message,
    });
    return undefined;
  }
}

/** Parses TOML, or throws WEAVER_ERR_CONFIG_PARSE at the line and column of the mistake. */
function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const detail = e.message.replace(/^Invalid TOML document: /, "").split("\n")[0];
    throw runtimeError("WEAVER_ERR_CONFIG_PARSE", `${file}:${e.line}:${e.column}: invalid TOML: ${detail}\n${e.codeblock}`);
  }
}

/** The app-wide keys of [serviceweaver], with their defaults; problems go to `report`. */
function appKeys(
  sw: Record<string, unknown>,
  report: (errors: string[]) => void,
): Omit<AppConfig, "file" | "binary" | "sections" | "components"> {
  const errors: string[] = [];
  const env = (sw["env"] as string[] | undefined) ?? [];
  env.forEach((entry, i) => {
    if (typeof entry === "string" && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry))
      errors.push(`env[${i}]: "${entry.split("=")[0]}" is not of the form KEY=VALUE`);
  });
  const duration = (key: string, fallback: number | undefined): number | undefined => {
    const text = sw[key];
    if (typeof text !== "string") return fallback;
    const ms = parseDuration(text);
    if (ms === undefined) errors.push(`${key}: "${text}" is not a duration such as "30s", "5m" or "1h30m"`);
    return ms ?? fallback;
  };
  const rolloutMs = duration("rollout", undefined);
  const tracesPerSecond = (sw["traces_per_second"] as number | undefined) ?? DEFAULT_TRACES_PER_SECOND;
  if (!(tracesPerSecond >= 0) || !Number.isFinite(tracesPerSecond)) {
    errors.push(`traces_per_second: ${tracesPerSecond} is not a rate: give a number of traces per second, 0 or more (0 turns tracing off)`);
  }
  const otlpEndpoint = sw["otlp_endpoint"] as string | undefined;
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) {
    errors.push(`otlp_endpoint: "${otlpEndpoint}" is not an http(s) URL such as "http://127.0.0.1:4318"`);
  }
  const initTimeoutMs = duration("init_timeout", DEFAULT_INIT_TIMEOUT_MS) as number;
  const startTimeoutMs = duration("start_timeout", DEFAULT_START_TIMEOUT_MS) as number;
  report(errors);
  return {
    name: sw["name"] as string | undefined,
    args: (sw["args"] as string[] | undefined) ?? [],
    env,
    colocate: (sw["colocate"] as string[][] | undefined) ?? [],
    rolloutMs,
    tracesPerSecond,
    otlpEndpoint,
    initTimeoutMs,
    startTimeoutMs,
  };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function unknownSection(key: string, value: unknown, known: readonly string[], near: string | undefined): string {
  // `[reverser.Reverser]` parses as table reverser with sub-table Reverser: suggest the full name.
  if (typeof value === "object" && value !== null) {
    const sub = Object.keys(value)[0];
    if (sub !== undefined && /^[A-Z]/.test(sub)) {
      return `unknown section [${key}.${sub}]; component sections are keyed by full name in quotes, e.g. ["${key}/${sub}"]`;
    }
  }
  const hint = near === undefined ? "" : ` did you mean [${near}]?`;
  return `unknown section [${key}];${hint} known sections are [serviceweaver], ${known.map((k) => `[${k}]`).join(", ")} and one per component keyed by full name, e.g. ["app/Component"]`;
}

/** Parses a duration such as "5m", "1h30m", "250ms" or "10s" into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * (units[m[2] as string] as number);
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
