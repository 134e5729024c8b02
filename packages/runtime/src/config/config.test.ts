import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadConfig, parseConfig, parseDuration, type AppConfig } from "./config.js";
import { componentConfig, validateConfig } from "./config-validate.js";
import { defineSection, listenerAddress, sectionOf, type ListenerConfig } from "./config-section.js";
import type { ConfigSchema } from "./config-schema.js";
import { WeaverError } from "../errors.js";
import type { ComponentManifest, Manifest } from "../generated/manifest.js";

const FILE = "/apps/shop/weaver.toml";
const tmp = mkdtempSync(join(tmpdir(), "weaver-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The error `fn` throws, checked to be a WeaverError. */
function thrown(fn: () => unknown): WeaverError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WeaverError);
    return e as WeaverError;
  }
  throw new Error("expected an error, but none was thrown");
}

const parseError = (text: string): WeaverError => thrown(() => parseConfig(text, FILE));

const CART_CONFIG: ConfigSchema & { kind: "object" } = {
  kind: "object",
  fields: {
    port: { schema: { kind: "number" }, optional: false },
    host: { schema: { kind: "string" }, optional: true },
    debug: { schema: { kind: "boolean" }, optional: true },
    mode: { schema: { kind: "literal", values: ["fast", "safe"] }, optional: true },
  },
};

function component(name: string, short: string, extra: Partial<ComponentManifest> = {}): ComponentManifest {
  return {
    name,
    short,
    impl: `${short.split(".")[1]}Impl`,
    source: "src/x.ts",
    methods: [],
    refs: [],
    listeners: [],
    config: null,
    ...extra,
  };
}

const MANIFEST: Manifest = {
  app: "shop",
  codegenVersion: "0.1",
  versionHash: "0123456789abcdef",
  components: [
    component("@acme/shop/Cart", "shop.Cart", { config: CART_CONFIG }),
    component("@acme/shop/Store", "shop.Store"),
    component("weaver/Main", "weaver.Main", { listeners: [{ field: "lis", name: "lis" }] }),
  ],
  callGraph: [],
};

/** A valid Cart section, so that tests about other things do not trip over its required key. */
const CART = `["@acme/shop/Cart"]\nport = 1\n`;

/** A deployer's section, as a deployer declares one: a listener proxy, a count with a range. */
const FLEET = defineSection<{ listeners?: Record<string, ListenerConfig>; ships?: number }>({
  name: "fleet",
  doc: "A test deployer.",
  listeners: true,
  keys: { ships: { schema: { kind: "number" }, doc: "How many ships." } },
  check: (value, { manifest }) => [
    ...(value.ships !== undefined && value.ships > 9 ? [`ships = ${value.ships}: at most 9 ships`] : []),
    ...(manifest !== undefined && value.ships === 0 ? [`ships = 0: app ${manifest.app} needs a ship`] : []),
  ],
});

const validateError = (text: string): WeaverError =>
  thrown(() => validateConfig(parseConfig(text, FILE, { sections: [FLEET] }), MANIFEST, [FLEET]));

describe("parseConfig", () => {
  it("reads every [serviceweaver] key", () => {
    const config = parseConfig(
      [
        "[serviceweaver]",
        'name = "shop"',
        'binary = "./dist/main.js"',
        'args = ["--verbose", "x"]',
        'env = ["A=1", "B=", "C=x=y"]',
        'colocate = [["@acme/shop/Cart", "@acme/shop/Store"]]',
        'rollout = "1h30m"',
        "traces_per_second = 0.5",
        'otlp_endpoint = "http://127.0.0.1:4318"',
        'init_timeout = "5s"',
        'start_timeout = "2m"',
      ].join("\n"),
      FILE,
    );
    expect(config).toEqual({
      file: FILE,
      name: "shop",
      binary: "/apps/shop/dist/main.js",
      args: ["--verbose", "x"],
      env: ["A=1", "B=", "C=x=y"],
      colocate: [["@acme/shop/Cart", "@acme/shop/Store"]],
      rolloutMs: 5_400_000,
      tracesPerSecond: 0.5,
      otlpEndpoint: "http://127.0.0.1:4318",
      initTimeoutMs: 5_000,
      startTimeoutMs: 120_000,
      sections: {},
      components: {},
    } satisfies AppConfig);
  });

  it("refuses a negative trace rate and an OTLP endpoint that is not a URL", () => {
    expect(() => parseConfig('[serviceweaver]\ntraces_per_second = -1\notlp_endpoint = "localhost:4318"', FILE)).toThrow(
      `${FILE}: 2 problems:\n  [serviceweaver] traces_per_second: -1 is not a rate: give a number of traces per second, 0 or more (0 turns tracing off)\n  [serviceweaver] otlp_endpoint: "localhost:4318" is not an http(s) URL such as "http://127.0.0.1:4318"`,
    );
    expect(parseConfig("", FILE).tracesPerSecond).toBe(1);
  });

  it("accepts an empty file", () => {
    const config = parseConfig("", FILE);
    expect(config.binary).toBeUndefined();
    expect(config.name).toBeUndefined();
    expect(config.components).toEqual({});
  });

  it("accepts [weaver] as an alias of [serviceweaver]", () => {
    const config = parseConfig('[weaver]\nname = "shop"\nbinary = "app.js"\n', FILE);
    expect(config.name).toBe("shop");
    expect(config.binary).toBe("/apps/shop/app.js");
  });

  it("refuses [serviceweaver] and [weaver] together", () => {
    const e = parseError('[serviceweaver]\nname = "a"\n[weaver]\nname = "b"\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECTION");
    expect(e.message).toBe(`${FILE}: both [serviceweaver] and [weaver] are present; they are one section under two names, keep one`);
  });

  it("reports malformed TOML as file:line:col with the offending line", () => {
    const e = parseError('[serviceweaver]\nname = "x"\nbinary = = 3\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_PARSE");
    expect(e.message.split("\n")[0]).toBe(`${FILE}:3:10: invalid TOML: invalid value`);
    expect(e.message).toContain("binary = = 3");
  });

  it("reports the article's `// 新增` annotation as malformed TOML at its column", () => {
    const e = parseError('[multi]\nlisteners.lis = {address = "localhost:8080"} // 新增\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_PARSE");
    expect(e.message).toMatch(new RegExp(`^${FILE}:2:46: invalid TOML: `));
  });

  it("refuses unknown sections, naming the known ones", () => {
    const e = parseError("[foo]\nx = 1\n");
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECTION");
    expect(e.message).toBe(
      `${FILE}: unknown section [foo]; known sections are [serviceweaver], [single] and one per component keyed by full name, e.g. ["app/Component"]`,
    );
    expect(thrown(() => parseConfig("[foo]\n", FILE, { sections: [FLEET], others: ["kube"] })).message).toBe(
      `${FILE}: unknown section [foo]; known sections are [serviceweaver], [single], [fleet], [kube] and one per component keyed by full name, e.g. ["app/Component"]`,
    );
  });

  it("suggests the section meant by a near miss, even where other deployers' sections are let through", () => {
    for (const others of [[], "any"] as const) {
      const e = thrown(() => parseConfig('[singel]\nlisteners.lis = {address = ":0"}\n[serviceweavr]\n', FILE, { others }));
      expect(e.message.split("\n")).toEqual([
        `${FILE}: 2 problems:`,
        '  unknown section [singel]; did you mean [single]? known sections are [serviceweaver], [single] and one per component keyed by full name, e.g. ["app/Component"]',
        '  unknown section [serviceweavr]; did you mean [serviceweaver]? known sections are [serviceweaver], [single] and one per component keyed by full name, e.g. ["app/Component"]',
      ]);
    }
  });

  it("suggests quoting the full name for an unquoted [pkg.Iface] section", () => {
    const e = parseError("[reverser.Reverser]\nx = 1\n");
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECTION");
    expect(e.message).toBe(
      `${FILE}: unknown section [reverser.Reverser]; component sections are keyed by full name in quotes, e.g. ["reverser/Reverser"]`,
    );
  });

  it("reads [weaver.Main] as a misnamed component section, not as the [weaver] alias", () => {
    const e = parseError('[serviceweaver]\nbinary = "a.js"\n[weaver.Main]\ngreeting = "hi"\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECTION");
    expect(e.message).toBe(
      `${FILE}: unknown section [weaver.Main]; component sections are keyed by full name in quotes, e.g. ["weaver/Main"]`,
    );
  });

  it("refuses a section given as a value", () => {
    const e = parseError("single = 3\n");
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECTION");
    expect(e.message).toBe(`${FILE}: single must be a table ([single]), not a value`);
  });

  it("keeps the sections of other deployers as written, when told which they are or to take any", () => {
    const text = '[ssh]\nlocations = "./hosts"\n[gke]\nregions = ["us-west1"]\n';
    for (const others of [["ssh", "gke"], "any"] as const) {
      const config = parseConfig(text, FILE, { others });
      expect(config.sections).toEqual({ ssh: { locations: "./hosts" }, gke: { regions: ["us-west1"] } });
      expect(config.components).toEqual({});
    }
    expect(thrown(() => parseConfig(text, FILE, { others: ["ssh"] })).message).toMatch(/unknown section \[gke\]/);
  });

  it("refuses unknown keys, naming the known ones", () => {
    const e = parseError('[serviceweaver]\nnmae = "x"\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(
      `${FILE}: [serviceweaver] nmae: unknown key (known keys: name, binary, args, env, colocate, rollout, traces_per_second, otlp_endpoint, init_timeout, start_timeout)`,
    );
  });

  it("refuses keys that happen to be names of Object's own properties", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const e = parseError(`[serviceweaver]\n${key} = 1\n`);
      expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
      expect(e.message).toContain(`[serviceweaver] ${key}: unknown key`);
    }
  });

  it("keeps a listener named __proto__ as a listener", () => {
    const config = parseConfig('[single]\nlisteners.__proto__ = {address = ":1"}\n', FILE);
    const listeners = config.sections["single"]?.["listeners"] as object;
    expect(Object.getPrototypeOf(listeners)).toBe(Object.prototype);
    expect(Object.entries(listeners)).toEqual([["__proto__", { address: ":1" }]]);
    expect(listenerAddress(config, "single", "__proto__")).toBe(":1");
    expect(listenerAddress(config, "single", "toString")).toBeUndefined();
  });

  it("refuses values of the wrong type, naming the expected type", () => {
    const e = parseError('[serviceweaver]\nname = 3\nargs = "a"\ncolocate = ["a"]\nbinary = 1979-05-27T07:32:00Z\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(
      [
        `${FILE}: 4 problems:`,
        "  [serviceweaver] name: expected string, found integer",
        "  [serviceweaver] args: expected array of string, found string",
        "  [serviceweaver] colocate[0]: expected array of string, found string",
        "  [serviceweaver] binary: expected string, found date-time",
      ].join("\n"),
    );
  });

  it("refuses env entries that are not KEY=VALUE, without printing values", () => {
    const e = parseError('[serviceweaver]\nenv = ["A=1", "B", "1C=hunter2", "=x", "D="]\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(
      [
        `${FILE}: 3 problems:`,
        '  [serviceweaver] env[1]: "B" is not of the form KEY=VALUE',
        '  [serviceweaver] env[2]: "1C" is not of the form KEY=VALUE',
        '  [serviceweaver] env[3]: "" is not of the form KEY=VALUE',
      ].join("\n"),
    );
    expect(e.message).not.toContain("hunter2");
  });

  it("refuses a rollout that is not a duration", () => {
    for (const rollout of ["5 minutes", "", "5", "-5m"]) {
      const e = parseError(`[serviceweaver]\nrollout = "${rollout}"\n`);
      expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
      expect(e.message).toBe(`${FILE}: [serviceweaver] rollout: "${rollout}" is not a duration such as "30s", "5m" or "1h30m"`);
    }
    expect(parseError("[serviceweaver]\nrollout = 5\n").message).toBe(`${FILE}: [serviceweaver] rollout: expected string, found integer`);
  });

  it("reads the listener addresses and keys of [single] and of a declared section", () => {
    const config = parseConfig(
      '[single]\nlisteners.lis = {address = "localhost:8080"}\n[fleet]\nlisteners.lis = {address = ":0"}\nships = 3\n',
      FILE,
      { sections: [FLEET] },
    );
    expect(listenerAddress(config, "single", "lis")).toBe("localhost:8080");
    expect(listenerAddress(config, "fleet", "lis")).toBe(":0");
    expect(listenerAddress(config, "fleet", "other")).toBeUndefined();
    expect(sectionOf(config, FLEET)).toEqual({ listeners: { lis: { address: ":0" } }, ships: 3 });
  });

  it("refuses bad listener addresses and the bad keys of a declared section, and runs its check", () => {
    const e = thrown(() =>
      parseConfig(
        '[single]\nlisteners.lis = {address = "localhost"}\n[fleet]\nlisteners.lis = {address = "h:70000"}\nlisteners.b = {adress = "h:1"}\nships = "2"\nboats = 1\n',
        FILE,
        { sections: [FLEET] },
      ),
    );
    expect(e.code).toBe("WEAVER_ERR_CONFIG_LISTENER");
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 5 problems:`,
      '  [single] listeners.lis.address: "localhost" is not an address of the form host:port (e.g. "localhost:8080" or ":0")',
      "  [fleet] listeners.b.adress: unknown key (known keys: address)",
      "  [fleet] ships: expected number, found string",
      "  [fleet] boats: unknown key (known keys: listeners, ships)",
      '  [fleet] listeners.lis.address: port 70000 in "h:70000" is larger than 65535',
    ]);
    expect(thrown(() => parseConfig(`[fleet]\nships = 10\n${CART}`, FILE, { sections: [FLEET], manifest: MANIFEST })).message).toBe(
      `${FILE}: [fleet] ships = 10: at most 9 ships`,
    );
  });

  it("reports every problem at once", () => {
    const e = parseError('[serviceweaver]\nnmae = "x"\n[foo]\n[single]\nlisteners.lis = {address = "bad"}\n');
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 3 problems:`,
      "  [serviceweaver] nmae: unknown key (known keys: name, binary, args, env, colocate, rollout, traces_per_second, otlp_endpoint, init_timeout, start_timeout)",
      '  [single] listeners.lis.address: "bad" is not an address of the form host:port (e.g. "localhost:8080" or ":0")',
      '  unknown section [foo]; known sections are [serviceweaver], [single] and one per component keyed by full name, e.g. ["app/Component"]',
    ]);
  });

  it("reports the problems of every section at once, component sections included, when given the app", () => {
    const text =
      '[serviceweaver]\ninit_timeout = "soon"\n[fleet]\nships = 0\nlisteners.nope = {address = ":0"}\n["@acme/shop/Cart"]\nport = "x"\n["@acme/shop/Stor"]\n';
    const e = thrown(() => parseConfig(text, FILE, { sections: [FLEET], manifest: MANIFEST }));
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 5 problems:`,
      '  [serviceweaver] init_timeout: "soon" is not a duration such as "30s", "5m" or "1h30m"',
      '  ["@acme/shop/Cart"] port: expected number, found string',
      '  ["@acme/shop/Stor"]: app shop has no component @acme/shop/Stor; components: "@acme/shop/Cart", "@acme/shop/Store", "weaver/Main"',
      "  [fleet] listeners.nope: no component declares listener nope; declared listeners: lis",
      "  [fleet] ships = 0: app shop needs a ship",
    ]);
  });

  it("keeps component sections, keyed by full name, for validateConfig", () => {
    const config = parseConfig('["@acme/shop/Cart"]\nport = 8\nhost = "h"\n', FILE);
    expect(config.components).toEqual({ "@acme/shop/Cart": { port: 8, host: "h" } });
  });
});

describe("loadConfig", () => {
  it("reads a file and resolves binary against the file's folder, not the working directory", () => {
    const dir = join(tmp, "app");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "weaver.toml");
    writeFileSync(file, '[serviceweaver]\nbinary = "./dist/main.js"\n[single]\nlisteners.lis = {address = "localhost:8080"}\n');
    const config = loadConfig(file);
    expect(config.file).toBe(file);
    expect(config.binary).toBe(join(dir, "dist/main.js"));
    expect(listenerAddress(config, "single", "lis")).toBe("localhost:8080");
  });

  it("keeps an absolute binary as it is", () => {
    const file = join(tmp, "abs.toml");
    writeFileSync(file, '[serviceweaver]\nbinary = "/opt/app/main.js"\n');
    expect(loadConfig(file).binary).toBe("/opt/app/main.js");
  });

  it("says when the file does not exist", () => {
    const missing = join(tmp, "nope.toml");
    const e = thrown(() => loadConfig(missing));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_READ");
    expect(e.message).toBe(`cannot read config file ${missing}: no such file`);
  });

  it("names the absolute file in parse errors", () => {
    const file = join(tmp, "bad.toml");
    writeFileSync(file, "[single\n");
    const e = thrown(() => loadConfig(file));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_PARSE");
    expect(e.message.startsWith(`${file}:1:`)).toBe(true);
  });
});

describe("validateConfig", () => {
  it("accepts a config that fits the app", () => {
    const text = [
      "[serviceweaver]",
      'colocate = [["@acme/shop/Cart", "@acme/shop/Store"]]',
      "[single]",
      'listeners.lis = {address = "localhost:8080"}',
      "[fleet]",
      'listeners.lis = {address = ":0"}',
      CART,
    ].join("\n");
    expect(() => validateConfig(parseConfig(text, FILE, { sections: [FLEET] }), MANIFEST, [FLEET])).not.toThrow();
  });

  it("suggests the full name for an unknown component that matches a component's short name", () => {
    const e = validateError(`${CART}["shop.Store"]\nx = 1\n`);
    expect(e.code).toBe("WEAVER_ERR_CONFIG_COMPONENT");
    expect(e.message).toBe(`${FILE}: ["shop.Store"]: app shop has no component shop.Store; did you mean ["@acme/shop/Store"]?`);
  });

  it("suggests the full name for an unknown component that lacks the package scope", () => {
    const e = validateError('["shop/Cart"]\nport = 1\n["@acme/shop/Cart"]\nport = 1\n');
    expect(e.message).toBe(`${FILE}: ["shop/Cart"]: app shop has no component shop/Cart; did you mean ["@acme/shop/Cart"]?`);
  });

  it("lists the components for an unknown component that matches none", () => {
    const e = validateError(`${CART}["x/Y"]\na = 1\n`);
    expect(e.code).toBe("WEAVER_ERR_CONFIG_COMPONENT");
    expect(e.message).toBe(
      `${FILE}: ["x/Y"]: app shop has no component x/Y; components: "@acme/shop/Cart", "@acme/shop/Store", "weaver/Main"`,
    );
  });

  it("refuses a section for a component without a config type", () => {
    const e = validateError(`${CART}["@acme/shop/Store"]\na = 1\n`);
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(
      `${FILE}: ["@acme/shop/Store"]: component shop.Store takes no config; give it a config type with Implements<I, Config>() or remove the section`,
    );
  });

  it("checks a component's section against its config type", () => {
    const e = validateError('["@acme/shop/Cart"]\nport = "x"\nextra = 1\nmode = "slow"\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 3 problems:`,
      '  ["@acme/shop/Cart"] port: expected number, found string',
      '  ["@acme/shop/Cart"] extra: unknown key (known keys: port, host, debug, mode)',
      '  ["@acme/shop/Cart"] mode: expected "fast" | "safe", found string',
    ]);
  });

  it("reports required config keys missing from a section", () => {
    const e = validateError('["@acme/shop/Cart"]\nhost = "h"\n');
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(`${FILE}: ["@acme/shop/Cart"] port: missing required key of type number`);
  });

  it("reports a missing section of a component with required config keys", () => {
    const e = validateError("");
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(`${FILE}: ["@acme/shop/Cart"] is missing; component shop.Cart requires port`);
  });

  it("names the missing config file when the app runs without one", () => {
    const config = parseConfig("", "");
    const e = thrown(() => validateConfig(config, MANIFEST));
    expect(e.message).toBe(
      'config (none given; set SERVICEWEAVER_CONFIG): ["@acme/shop/Cart"] is missing; component shop.Cart requires port',
    );
  });

  it("refuses colocation groups with unknown or repeated components", () => {
    const e = validateError(
      `[serviceweaver]\ncolocate = [["@acme/shop/Cart", "nope/X"], ["@acme/shop/Cart", "@acme/shop/Store"]]\n${CART}`,
    );
    expect(e.code).toBe("WEAVER_ERR_CONFIG_COMPONENT");
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 2 problems:`,
      '  [serviceweaver] colocate[0]: unknown component "nope/X"; components: "@acme/shop/Cart", "@acme/shop/Store", "weaver/Main"',
      '  [serviceweaver] colocate[1]: component "@acme/shop/Cart" is placed in more than one group',
    ]);
  });

  it("refuses listeners that no component declares", () => {
    const e = validateError(
      `[single]\nlisteners.lis = {address = ":0"}\nlisteners.other = {address = ":1"}\n[fleet]\nlisteners.x = {}\n${CART}`,
    );
    expect(e.code).toBe("WEAVER_ERR_CONFIG_LISTENER");
    expect(e.message.split("\n")).toEqual([
      `${FILE}: 2 problems:`,
      "  [single] listeners.other: no component declares listener other; declared listeners: lis",
      "  [fleet] listeners.x: no component declares listener x; declared listeners: lis",
    ]);
  });

  it("says when the app declares no listeners at all", () => {
    const manifest: Manifest = { ...MANIFEST, components: [component("weaver/Main", "weaver.Main")] };
    const e = thrown(() => validateConfig(parseConfig('[single]\nlisteners.lis = {address = ":0"}\n', FILE), manifest));
    expect(e.message).toBe(`${FILE}: [single] listeners.lis: no component declares listener lis; the app declares no listeners`);
  });

  it("leaves secret references unresolved and unchecked against the field's type", () => {
    delete process.env["WEAVER_TEST_UNSET"];
    const text =
      '["@acme/shop/Cart"]\nport = "${env:WEAVER_TEST_UNSET}"\nhost = "${file:/nonexistent/secret}"\ndebug = "${env:WEAVER_TEST_UNSET}"\n';
    const config = parseConfig(text, FILE);
    expect(() => validateConfig(config, MANIFEST)).not.toThrow();
    expect(config.components["@acme/shop/Cart"]).toEqual({
      port: "${env:WEAVER_TEST_UNSET}",
      host: "${file:/nonexistent/secret}",
      debug: "${env:WEAVER_TEST_UNSET}",
    });
  });
});

describe("componentConfig", () => {
  const envKeys = ["WEAVER_TEST_PORT", "WEAVER_TEST_DEBUG", "WEAVER_TEST_HOST"];
  afterEach(() => {
    for (const k of envKeys) delete process.env[k];
  });

  it("returns the section checked against the type", () => {
    const config = parseConfig('["@acme/shop/Cart"]\nport = 8080\nmode = "fast"\n', FILE);
    expect(componentConfig(config, "@acme/shop/Cart", CART_CONFIG)).toEqual({ port: 8080, mode: "fast" });
  });

  it("returns undefined for a component without a config type", () => {
    expect(componentConfig(parseConfig("", FILE), "@acme/shop/Store", null)).toBeUndefined();
  });

  it("throws WEAVER_ERR_CONFIG_KEY when the section does not fit", () => {
    const config = parseConfig('["@acme/shop/Cart"]\nport = "x"\n', FILE);
    const e = thrown(() => componentConfig(config, "@acme/shop/Cart", CART_CONFIG));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toBe(
      `${FILE}: config of component shop.Cart does not fit its type:\n  ["@acme/shop/Cart"] port: expected number, found string`,
    );
  });

  it("resolves ${env:NAME} and ${file:PATH}, coercing numbers and booleans", () => {
    const secret = join(tmp, "host-secret");
    writeFileSync(secret, "db.internal\n");
    process.env["WEAVER_TEST_PORT"] = " 5432 ";
    process.env["WEAVER_TEST_DEBUG"] = "true";
    const config = parseConfig(
      `["@acme/shop/Cart"]\nport = "\${env:WEAVER_TEST_PORT}"\nhost = "\${file:${secret}}"\ndebug = "\${env:WEAVER_TEST_DEBUG}"\n`,
      FILE,
    );
    expect(componentConfig(config, "@acme/shop/Cart", CART_CONFIG)).toEqual({ port: 5432, host: "db.internal", debug: true });
    process.env["WEAVER_TEST_DEBUG"] = "false";
    expect(componentConfig(config, "@acme/shop/Cart", CART_CONFIG)).toMatchObject({ debug: false });
  });

  it("reads a relative ${file:PATH} against the config file's folder, like binary", () => {
    const dir = join(tmp, "relative-secret");
    mkdirSync(join(dir, "secrets"), { recursive: true });
    writeFileSync(join(dir, "secrets", "host"), "db.relative\n");
    writeFileSync(join(dir, "weaver.toml"), '["@acme/shop/Cart"]\nport = 1\nhost = "${file:secrets/host}"\n');
    const config = loadConfig(join(dir, "weaver.toml"));
    expect(componentConfig(config, "@acme/shop/Cart", CART_CONFIG)).toEqual({ port: 1, host: "db.relative" });
  });

  it("throws WEAVER_ERR_CONFIG_SECRET naming the references, never the values", () => {
    process.env["WEAVER_TEST_PORT"] = "s3cr3t-port";
    process.env["WEAVER_TEST_DEBUG"] = "s3cr3t-flag";
    process.env["WEAVER_TEST_HOST"] = "s3cr3t-mode";
    const config = parseConfig(
      '["@acme/shop/Cart"]\nport = "${env:WEAVER_TEST_PORT}"\ndebug = "${env:WEAVER_TEST_DEBUG}"\nmode = "${env:WEAVER_TEST_HOST}"\nhost = "${file:/nonexistent/weaver-secret}"\n',
      FILE,
    );
    const e = thrown(() => componentConfig(config, "@acme/shop/Cart", CART_CONFIG));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECRET");
    expect(e.message.split("\n")).toEqual([
      `${FILE}: cannot resolve the secrets in the config of component shop.Cart:`,
      '  ["@acme/shop/Cart"] port: the secret referenced by port is not a number',
      '  ["@acme/shop/Cart"] debug: the secret referenced by debug is not true or false',
      '  ["@acme/shop/Cart"] mode: expected "fast" | "safe", found string',
      '  ["@acme/shop/Cart"] host: cannot read secret file /nonexistent/weaver-secret (referenced as ${file:/nonexistent/weaver-secret}): ENOENT',
    ]);
    expect(e.message).not.toContain("s3cr3t");
  });

  it("says which environment variable is unset", () => {
    const config = parseConfig('["@acme/shop/Cart"]\nport = "${env:WEAVER_TEST_PORT}"\n', FILE);
    const e = thrown(() => componentConfig(config, "@acme/shop/Cart", CART_CONFIG));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_SECRET");
    expect(e.message).toContain(
      '["@acme/shop/Cart"] port: environment variable WEAVER_TEST_PORT (referenced as ${env:WEAVER_TEST_PORT}) is not set',
    );
  });

  it("reports a mistake in the section as WEAVER_ERR_CONFIG_KEY even when a secret fails too", () => {
    const config = parseConfig('["@acme/shop/Cart"]\nport = "${env:WEAVER_TEST_PORT}"\nextra = 1\n', FILE);
    const e = thrown(() => componentConfig(config, "@acme/shop/Cart", CART_CONFIG));
    expect(e.code).toBe("WEAVER_ERR_CONFIG_KEY");
    expect(e.message).toContain("port: environment variable WEAVER_TEST_PORT");
    expect(e.message).toContain("extra: unknown key");
  });
});

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2m3s4ms", 123_004],
    ["0s", 0],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "m", "5x", "-5s", " 5s", "5s ", "1h 30m", "5 minutes", "h5"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
