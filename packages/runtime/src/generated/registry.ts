/**
 * The registry of generated code. Each app's weaver_gen.ts calls registerApp once, with its
 * manifest and, per component, the implementation class and the three stubs. Runtimes (the
 * single-process runtime, weavelets, the testing kit) look components up here by full name.
 */
import type { LocalCalls } from "../calls/local-calls.js";
import type { MethodChecks } from "../calls/value-checks.js";
import { checkManifestVersion, type ComponentManifest, type Manifest } from "./manifest.js";
import { runtimeError } from "../errors.js";
import { CODEGEN_VERSION } from "../version.js";
import { MAIN_COMPONENT } from "../names.js";
import { processGlobal } from "../process-global.js";
import { checkDeclarations, type InterfaceDeclaration } from "./fingerprint.js";

/** The remote call path a client stub uses: encode, send, await and decode one call. */
export interface RemoteCalls {
  /** Calls method `method` with positional arguments; settles with the decoded result. */
  call(method: number, args: unknown[]): Promise<unknown>;
}

/** One method of a server stub: takes decoded positional arguments, returns the result. */
export type ServerMethod = (args: readonly unknown[]) => Promise<unknown>;

/** Computes the routing key of a call from its positional arguments (a router method, called by generated code). */
export type KeyFunction = (args: readonly unknown[]) => unknown;

/** A component's router as generated code registers it. */
export interface RouterRegistration {
  /** The router class's name, for errors. */
  readonly name: string;
  /**
   * Per method, index-aligned with the manifest's methods: the function that computes a call's
   * routing key (a number, string, bigint or flat object of those), or undefined for a method
   * that is not routed.
   */
  readonly keys: readonly (KeyFunction | undefined)[];
}

/** What generated code registers for one component. */
export interface ComponentRegistration<I extends object = object> {
  /** Full name, as in the manifest. */
  readonly name: string;
  /** The implementation class; undefined for Main, whose class run() receives. */
  readonly impl: (new () => I) | undefined;
  /** Record structures shared by both ends of a call (see Codec). */
  readonly structures: readonly (readonly string[])[];
  /** Wraps an implementation so that calls are recorded. */
  readonly localStub: (impl: I, calls: LocalCalls) => I;
  /** Makes a stub that sends calls through `calls`. */
  readonly clientStub: (calls: RemoteCalls) => I;
  /** Returns the methods of an implementation, index-aligned with the manifest's methods. */
  readonly serverStub: (impl: I) => readonly ServerMethod[];
  /**
   * Checks of each method's arguments and result against its declared types, index-aligned with
   * the manifest's methods: remote calls run them (see value-checks.ts), local calls do not.
   */
  readonly checks: readonly MethodChecks[];
  /** The component's router, when its implementation has one: remote calls of routed methods carry a key. */
  readonly router?: RouterRegistration;
  /**
   * Where the component's interface is declared (`file` relative to the generated module) and its
   * fingerprint when weaver generate ran; checked when the app runs from its TypeScript sources.
   */
  readonly declared?: InterfaceDeclaration;
}

/** What one app's weaver_gen.ts registers. */
export interface AppRegistration {
  /** The codegen version that wrote the generated code. */
  readonly codegenVersion: string;
  /** The manifest, as the JSON text embedded in the generated code. */
  readonly manifest: string;
  /** The URL of the generated module itself (its `import.meta.url`), for runners that load the app in other processes. */
  readonly module?: string;
  // Registrations are of different component types; generated code checks each one against its
  // interface with `satisfies ComponentRegistration<I>`, so `any` loses nothing here.
  // biome-ignore lint/suspicious/noExplicitAny: each registration is checked against its own interface (see above).
  readonly components: readonly ComponentRegistration<any>[];
}

/** A component as the registry holds it: its manifest entry and its generated code. */
export interface RegisteredComponent {
  readonly manifest: ComponentManifest;
  readonly registration: ComponentRegistration;
  readonly app: Manifest;
}

/**
 * Main has no methods, so it needs no stubs; its class is the one given to run(). Generated code
 * therefore registers only the other components, and this stands in for Main.
 */
const MAIN_REGISTRATION: ComponentRegistration = {
  name: MAIN_COMPONENT,
  impl: undefined,
  structures: [],
  localStub: (impl) => impl,
  clientStub: () => {
    throw runtimeError("WEAVER_ERR_UNKNOWN_COMPONENT", "the main component cannot be called: no ref may point to Main");
  },
  serverStub: () => [],
  checks: [],
};

// One registry per process, whichever copy of this package the generated code and run() load.
const { components, mains, apps, modules } = processGlobal("registry", 1, () => ({
  components: new Map<string, RegisteredComponent>(),
  // Every app has a weaver/Main; tests and benchmarks may load several apps into one process.
  mains: [] as RegisteredComponent[],
  apps: [] as Manifest[],
  modules: new Map<Manifest, string>(),
}));

/** Registers an app's generated code; called once by each weaver_gen.ts when it is loaded. */
export function registerApp(app: AppRegistration): void {
  if (app.codegenVersion !== CODEGEN_VERSION) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `generated code was written by weaver generate ${app.codegenVersion}, but this runtime expects ${CODEGEN_VERSION}: run \`weaver generate\` on the app and rebuild it`,
    );
  }
  const manifest = JSON.parse(app.manifest) as Manifest;
  checkManifestVersion(manifest, `generated code of app ${manifest.app}`);
  if (apps.some((a) => a.versionHash === manifest.versionHash && a.app === manifest.app)) return;
  const all = manifest.components.some((c) => c.name === MAIN_COMPONENT) ? [MAIN_REGISTRATION, ...app.components] : app.components;
  // Check every registration before adding any, so that a refused app leaves nothing behind.
  const entries: [string, RegisteredComponent][] = [];
  for (const registration of all) {
    const entry = manifest.components.find((c) => c.name === registration.name);
    if (entry === undefined) {
      throw runtimeError(
        "WEAVER_ERR_STALE_GENERATED",
        `generated code registers ${registration.name}, which its manifest lacks: run \`weaver generate\``,
      );
    }
    if (registration === MAIN_REGISTRATION) {
      entries.push([MAIN_COMPONENT, { manifest: entry, registration, app: manifest }]);
      continue;
    }
    if (components.has(registration.name) || entries.some(([name]) => name === registration.name)) {
      throw runtimeError(
        "WEAVER_ERR_STALE_GENERATED",
        `component ${registration.name} is registered by two different builds of generated code; load one weaver_gen.js per app`,
      );
    }
    entries.push([registration.name, { manifest: entry, registration, app: manifest }]);
  }
  if (app.module !== undefined) checkDeclarations(app.module, app.components);
  for (const [name, registered] of entries) {
    if (registered.registration === MAIN_REGISTRATION) mains.push(registered);
    else components.set(name, registered);
  }
  apps.push(manifest);
  if (app.module !== undefined) modules.set(manifest, app.module);
}

/** Looks a component up by full name; throws WEAVER_ERR_UNKNOWN_COMPONENT naming it. */
export function getComponent(name: string): RegisteredComponent {
  if (name === MAIN_COMPONENT && mains.length > 1) {
    throw runtimeError(
      "WEAVER_ERR_UNKNOWN_COMPONENT",
      `several apps are loaded (${mains.map((m) => m.app.app).join(", ")}), so their Main components are ambiguous; load one app's weaver_gen.js per process`,
    );
  }
  const found = name === MAIN_COMPONENT ? mains[0] : components.get(name);
  if (found === undefined) {
    throw runtimeError(
      "WEAVER_ERR_UNKNOWN_COMPONENT",
      `component ${name} is not registered: run \`weaver generate\` and make sure the app's weaver_gen.js is loaded`,
    );
  }
  return found;
}

/** Finds the registered component implemented by a class, if any. */
export function findComponentByImpl(impl: abstract new () => object): RegisteredComponent | undefined {
  for (const c of components.values()) {
    if (c.registration.impl === impl) return c;
  }
  return undefined;
}

/** The URL of the generated module that registered `app`, when it said. */
export function generatedModule(app: Manifest): string | undefined {
  return modules.get(app);
}

/** The manifests of every registered app, in registration order. */
export function registeredApps(): readonly Manifest[] {
  return apps;
}
