/**
 * weaver.toml: parsing and validation.
 *
 * Sections: `[serviceweaver]` (alias `[weaver]`; both at once is an error) with the app-wide keys;
 * one section per deployer (`[single]`, `[multi]`; `ssh`, `gke` and `kube` are left to their
 * deployers); one section per component keyed by its full name (`["reverser/Reverser"]`).
 * parseConfig checks what it can without the app; validateConfig (config-validate.ts) checks the
 * rest against the app's manifest. Every problem is reported at once, naming the file, section and key.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import { checkTable, type ConfigSchema } from "./config-schema.js";
import { runtimeError, type RuntimeErrorCode } from "../errors.js";
import { parseAddress } from "./address.js";

/** Options of one listener in a deployer section. */
export interface ListenerConfig {
  /** `host:port` to listen on; port 0 picks a free port. */
  readonly address: string;
}

/** The keys every built-in deployer section has. */
export interface DeployerConfig {
  /** Listener options by listener name. */
  readonly listeners: Readonly<Record<string, ListenerConfig>>;
}

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
  /** `[single]`. */
  readonly single: DeployerConfig;
  /** `[multi]`, with keys the multi deployer validates. */
  readonly multi: DeployerConfig & Readonly<Record<string, unknown>>;
  /**
   * Component sections by full name, unvalidated until validateConfig (which also refuses
   * sections keyed by a name that is not a component's, such as a short name).
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
  },
};

/** Traces started per second when the config says nothing: about one, as the Go framework does. */
export const DEFAULT_TRACES_PER_SECOND = 1;

const LISTENERS: ConfigSchema = {
  kind: "record",
  value: { kind: "object", fields: { address: opt(string) } },
};

/** The schema of `[single]`. */
const SINGLE: ConfigSchema & { kind: "object" } = { kind: "object", fields: { listeners: opt(LISTENERS) } };

/** The schema of `[multi]`; the multi deployer owns these keys. */
const MULTI: ConfigSchema & { kind: "object" } = {
  kind: "object",
  fields: {
    listeners: opt(LISTENERS),
    replicas: opt({ kind: "number" }),
    groups: opt({ kind: "record", value: { kind: "object", fields: { replicas: opt({ kind: "number" }) } } }),
  },
};

/** Sections that belong to deployers other than the built-in ones; they are passed through. */
const FOREIGN_SECTIONS = new Set(["ssh", "gke", "gke-local", "kube"]);

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
    single: { listeners: {} },
    multi: { listeners: {} },
    components: {},
  };
}

/** Reads and parses a config file; throws WEAVER_ERR_CONFIG_READ or a parse/validation error. */
export function loadConfig(file: string): AppConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code ?? (e as Error).message;
    throw runtimeError("WEAVER_ERR_CONFIG_READ", `cannot read config file ${file}: ${why}`);
  }
  return parseConfig(text, path);
}

/**
 * Parses config text. `file` names the file in errors and anchors relative paths (binary).
 * Checks the syntax, the sections and the keys of the sections it owns.
 */
export function parseConfig(text: string, file: string): AppConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const detail = e.message.replace(/^Invalid TOML document: /, "").split("\n")[0];
      throw runtimeError(
        "WEAVER_ERR_CONFIG_PARSE",
        `${file}:${e.line}:${e.column}: invalid TOML: ${detail}\n${e.codeblock}`,
      );
    }
    throw e;
  }
  const problems: Problem[] = [];
  const keyErrors = (section: string, errors: string[]): void => {
    for (const e of errors) problems.push({ code: "WEAVER_ERR_CONFIG_KEY", text: `[${section}] ${e}` });
  };
  const table = (section: string, value: unknown): Record<string, unknown> | undefined => {
    if (isTable(value)) return value;
    problems.push({
      code: "WEAVER_ERR_CONFIG_SECTION",
      text: `${section} must be a table ([${section}]), not a value`,
    });
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
  const swRaw = table(swName, doc[swName] ?? {}) ?? {};
  const swErrors: string[] = [];
  const sw = checkTable(SERVICEWEAVER, swRaw, "", swErrors, "keep");
  keyErrors(swName, swErrors);

  const env = (sw["env"] as string[] | undefined) ?? [];
  env.forEach((entry, i) => {
    if (typeof entry === "string" && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry)) {
      keyErrors(swName, [`env[${i}]: "${entry.split("=")[0]}" is not of the form KEY=VALUE`]);
    }
  });
  let rolloutMs: number | undefined;
  if (typeof sw["rollout"] === "string") {
    rolloutMs = parseDuration(sw["rollout"]);
    if (rolloutMs === undefined) {
      keyErrors(swName, [`rollout: "${sw["rollout"]}" is not a duration such as "30s", "5m" or "1h30m"`]);
    }
  }

  const tracesPerSecond = (sw["traces_per_second"] as number | undefined) ?? DEFAULT_TRACES_PER_SECOND;
  if (!(tracesPerSecond >= 0) || !Number.isFinite(tracesPerSecond)) {
    keyErrors(swName, [`traces_per_second: ${tracesPerSecond} is not a rate: give a number of traces per second, 0 or more (0 turns tracing off)`]);
  }
  const otlpEndpoint = sw["otlp_endpoint"] as string | undefined;
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint)) {
    keyErrors(swName, [`otlp_endpoint: "${otlpEndpoint}" is not an http(s) URL such as "http://127.0.0.1:4318"`]);
  }

  const deployer = (name: string, schema: ConfigSchema & { kind: "object" }): Record<string, unknown> => {
    const raw = name in doc ? table(name, doc[name]) : {};
    if (raw === undefined) return { listeners: {} };
    const errors: string[] = [];
    const out = checkTable(schema, raw, "", errors, "keep");
    keyErrors(name, errors);
    const listeners = (out["listeners"] ?? {}) as Record<string, { address?: string }>;
    for (const [lis, opts] of Object.entries(listeners)) {
      if (typeof opts?.address === "string") {
        const parsed = parseAddress(opts.address);
        if (typeof parsed === "string") {
          problems.push({ code: "WEAVER_ERR_CONFIG_LISTENER", text: `[${name}] listeners.${lis}.address: ${parsed}` });
        }
      }
    }
    return { ...out, listeners };
  };
  const single = deployer("single", SINGLE) as unknown as DeployerConfig;
  const multi = deployer("multi", MULTI) as unknown as AppConfig["multi"];

  const components: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === "serviceweaver" || key === "weaver" || key === "single" || key === "multi") continue;
    if (FOREIGN_SECTIONS.has(key)) continue;
    // A quoted key with "/" is a component's full name; one with "." (e.g. ["reverser.Reverser"])
    // is most likely a short name: validateConfig, which knows the components, names the full one.
    if (key.includes("/") || key.includes(".")) {
      const t = table(key, value);
      if (t !== undefined) components[key] = t;
      continue;
    }
    problems.push({ code: "WEAVER_ERR_CONFIG_SECTION", text: unknownSection(key, value) });
  }

  if (problems.length > 0) fail(file, problems);
  const binary = sw["binary"] as string | undefined;
  return {
    file,
    name: sw["name"] as string | undefined,
    binary: binary === undefined ? undefined : resolve(dirname(file), binary),
    args: (sw["args"] as string[] | undefined) ?? [],
    env,
    colocate: (sw["colocate"] as string[][] | undefined) ?? [],
    rolloutMs,
    tracesPerSecond,
    otlpEndpoint,
    single,
    multi,
    components,
  };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function unknownSection(key: string, value: unknown): string {
  // `[reverser.Reverser]` parses as table reverser with sub-table Reverser: suggest the full name.
  if (typeof value === "object" && value !== null) {
    const sub = Object.keys(value)[0];
    if (sub !== undefined && /^[A-Z]/.test(sub)) {
      return `unknown section [${key}.${sub}]; component sections are keyed by full name in quotes, e.g. ["${key}/${sub}"]`;
    }
  }
  return `unknown section [${key}]; known sections are [serviceweaver], [single], [multi] and one per component keyed by full name, e.g. ["app/Component"]`;
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
