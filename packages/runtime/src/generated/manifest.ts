/**
 * The app manifest: what `weaver generate` learned about an app, written beside weaver_gen.ts as
 * weaver_manifest.json and embedded in weaver_gen.ts, so that deployers can read it from the
 * compiled app without running it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConfigSchema } from "../config/config-schema.js";
import { runtimeError } from "../errors.js";
import { CODEGEN_VERSION } from "../version.js";

/** A method of a component. */
export interface MethodManifest {
  readonly name: string;
  /** False when the method is tagged `@weaver notRetriable`: the RPC layer then tries it once. */
  readonly retriable: boolean;
}

/** A component of the app. */
export interface ComponentManifest {
  /** Full name, `<package>/<Interface>`; Main is `weaver/Main`. */
  readonly name: string;
  /** Short name, `<package last segment>.<Interface>`; Main is `weaver.Main`. */
  readonly short: string;
  /** Name of the implementation class. */
  readonly impl: string;
  /** Source file of the implementation, relative to the app folder. */
  readonly source: string;
  readonly methods: readonly MethodManifest[];
  /** The component's refs: field name and the full name of the component it refers to. */
  readonly refs: readonly { readonly field: string; readonly component: string }[];
  /** The component's listeners: field name and listener name. */
  readonly listeners: readonly { readonly field: string; readonly name: string }[];
  /** The config type, when the component has one (Implements<I, Config>). */
  readonly config: ConfigSchema | null;
  /**
   * True when the implementation has a router (`static readonly router = ...`): remote calls of
   * its routed methods go to the replica that owns their key. Absent otherwise.
   */
  readonly routed?: true;
}

/** Everything deployers need to know about an app. */
export interface Manifest {
  /** The app's name: its package name without scope. */
  readonly app: string;
  /** The codegen version that wrote the manifest. */
  readonly codegenVersion: string;
  /** Hash over every component's API and the codegen version; processes of one deployment share it. */
  readonly versionHash: string;
  /** Components sorted by full name. */
  readonly components: readonly ComponentManifest[];
  /** Caller → callee edges from refs, sorted. */
  readonly callGraph: readonly (readonly [string, string])[];
}

/** The name of the constant that carries the manifest in generated code. */
export const MANIFEST_CONSTANT = "WEAVER_MANIFEST";

// The constant's string literal in any quote style: weaver generate writes "...", but bundlers
// re-quote strings (esbuild picks the quote that needs the fewest escapes: ' or ` for JSON).
const EMBEDDED = new RegExp(
  `${MANIFEST_CONSTANT}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\[^])*)"|'((?:[^'\\\\]|\\\\[^])*)'|\`((?:[^\`\\\\$]|\\$(?!\\{)|\\\\[^])*)\`)`,
);

/**
 * Extracts the manifest embedded in the text of a generated (or bundled) module, if any; throws
 * WEAVER_ERR_STALE_GENERATED when the embedded text is not a manifest.
 */
export function extractManifest(text: string): Manifest | undefined {
  const m = EMBEDDED.exec(text);
  if (m === null) return undefined;
  const body = (m[1] ?? m[2] ?? m[3]) as string;
  let manifest: unknown;
  try {
    manifest = JSON.parse(unescapeJs(body));
  } catch (e) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `the embedded ${MANIFEST_CONSTANT} is not valid JSON (${(e as Error).message}): run \`weaver generate\` on the app and rebuild it`,
    );
  }
  if (typeof manifest !== "object" || manifest === null || !Array.isArray((manifest as Manifest).components)) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `the embedded ${MANIFEST_CONSTANT} is not a manifest: run \`weaver generate\` on the app and rebuild it`,
    );
  }
  return manifest as Manifest;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", 0: "\0" };

/** Decodes the escapes of a JavaScript string literal's body. */
function unescapeJs(body: string): string {
  return body.replace(
    /\\(u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|\r\n|[\s\S])/g,
    (_all, esc: string, cp?: string, u?: string, x?: string) => {
      if (cp !== undefined) return String.fromCodePoint(parseInt(cp, 16));
      if (u !== undefined) return String.fromCharCode(parseInt(u, 16));
      if (x !== undefined) return String.fromCharCode(parseInt(x, 16));
      if (esc === "\n" || esc === "\r" || esc === "\r\n" || esc === "\u2028" || esc === "\u2029") return ""; // line continuation
      return ESCAPES[esc] ?? esc;
    },
  );
}

/**
 * Reads the manifest of a compiled app from its entry file (binary) without running it: first
 * from the binary itself (bundled apps), then from weaver_gen.js beside it. Throws
 * WEAVER_ERR_BINARY when the binary is missing, WEAVER_ERR_NOT_GENERATED when neither file holds
 * a manifest, and WEAVER_ERR_STALE_GENERATED when the manifest is from another codegen version.
 */
export function readManifest(binary: string): Manifest {
  if (!existsSync(binary)) {
    throw runtimeError(
      "WEAVER_ERR_BINARY",
      `app binary ${binary} does not exist: build the app (\`npm run build\`) or correct [serviceweaver] binary, which is resolved against the config file's folder`,
    );
  }
  const candidates = [binary, join(dirname(binary), "weaver_gen.js")];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const manifest = extractManifest(readFileSync(file, "utf8"));
    if (manifest !== undefined) {
      checkManifestVersion(manifest, file);
      return manifest;
    }
  }
  throw runtimeError(
    "WEAVER_ERR_NOT_GENERATED",
    `no generated code found for ${binary} (looked for ${candidates[1]}): run \`weaver generate\` on the app and rebuild it`,
  );
}

/** Refuses a manifest written by another codegen version. */
export function checkManifestVersion(manifest: Manifest, where: string): void {
  if (manifest.codegenVersion !== CODEGEN_VERSION) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `${where} was generated by weaver generate ${manifest.codegenVersion}, but this runtime expects ${CODEGEN_VERSION}: run \`weaver generate\` on the app and rebuild it`,
    );
  }
}

/** Finds a component of the manifest by full name. */
export function findComponent(manifest: Manifest, name: string): ComponentManifest | undefined {
  return manifest.components.find((c) => c.name === name);
}
