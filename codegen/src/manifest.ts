/** Builds the app manifest (see @weaver/runtime's Manifest) from the analysed model. */
import { createHash } from "node:crypto";
import { relative, sep } from "node:path";
import { CODEGEN_VERSION, type Manifest } from "@weaver/runtime/codegen";
import type { AppModel } from "./model.js";

/**
 * The manifest of an app, with a version hash over every component's API (with the app's shared
 * types) and the codegen version.
 */
export function buildManifest(model: AppModel): Manifest {
  const api = model.components.map((c) => ({
    name: c.name,
    methods: c.methods.map((m) => ({ name: m.name, retriable: m.retriable, params: m.params.map((p) => p.text), result: m.result })),
    refs: c.refs.map((r) => [r.field, r.component]),
    listeners: c.listeners.map((l) => [l.field, l.name]),
    config: c.configText,
    // Routing is part of the API: adding, removing or changing a router makes another version.
    ...(c.router === undefined ? {} : { routed: c.router.methods }),
  }));
  const versionHash = createHash("sha256")
    // The texts of the API refer to the shared types by token, so these are hashed too (when there are any).
    .update(JSON.stringify({ codegen: CODEGEN_VERSION, app: model.pkg, api, ...(model.types.length > 0 ? { types: model.types } : {}) }))
    .digest("hex")
    .slice(0, 16);
  const callGraph = model.components
    .flatMap((c) => c.refs.map((r) => [c.name, r.component] as const))
    .sort((a, b) => (a.join(" ") < b.join(" ") ? -1 : 1));
  return {
    app: model.app,
    codegenVersion: CODEGEN_VERSION,
    versionHash,
    components: model.components.map((c) => ({
      name: c.name,
      short: c.short,
      impl: c.impl.name,
      source: relative(model.dir, c.impl.file).split(sep).join("/"),
      methods: c.methods.map((m) => ({ name: m.name, retriable: m.retriable })),
      refs: c.refs.map((r) => ({ field: r.field, component: r.component })),
      listeners: c.listeners.map((l) => ({ field: l.field, name: l.name })),
      config: c.config,
      ...(c.router === undefined ? {} : { routed: true as const }),
    })),
    callGraph,
  };
}
