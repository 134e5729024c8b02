/**
 * `weaver callgraph <app dir or binary>`: prints an app's component call graph (the refs `weaver
 * generate` found), by default as a Mermaid diagram in Service Weaver's format, or as JSON or
 * Graphviz dot. The graph is the deployer API's callGraphOf, the one mutual TLS enforces.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { CODEGEN_VERSION, callGraphOf, readManifest, runtimeError, type CallGraph, type Manifest } from "@weaver/runtime";
import { UsageError, newCommand } from "@weaver/runtime/tool";

/** The output formats. */
const FORMATS = ["mermaid", "json", "dot"] as const;
type Format = (typeof FORMATS)[number];

/** The file `weaver generate` writes beside an app's Main component. */
const MANIFEST_FILE = "weaver_manifest.json";

/** Folders of an app that never hold its sources' manifest. */
const SKIPPED = new Set(["node_modules", "dist", "build", "out"]);

/** Creates the `weaver callgraph` command. */
export function callgraphCommand(): Command {
  return newCommand({
    path: ["callgraph"],
    summary: "print an app's component call graph",
    usage: "[--format mermaid|json|dot] <app dir or binary>",
    description:
      "Prints which components of an app may call which: an edge for every ref<I>() a component holds, as " +
      "`weaver generate` recorded them. Give the app's folder (its weaver_manifest.json, found beside its Main " +
      "component) or its built entry (e.g. dist/main.js). This is the graph that mutual TLS enforces between replicas.",
    examples: [
      {
        comment: "Print the reverser example's graph as Mermaid (paste it into a ```mermaid block).",
        command: "weaver callgraph examples/reverser",
      },
      { comment: "The same graph as JSON, from the built app.", command: "weaver callgraph --format json examples/reverser/dist/main.js" },
      { comment: "Render it with Graphviz.", command: "weaver callgraph --format dot . | dot -Tsvg > callgraph.svg" },
    ],
  })
    .argument("<app>", "an app folder or the app's built entry file")
    .option("--format <format>", "mermaid, json or dot", "mermaid")
    .action((app: string, options: { format: string }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new UsageError(`--format ${options.format} is not one of ${FORMATS.join(", ")}`);
      }
      const graph = callGraphOf(loadManifest(app));
      process.stdout.write(render(graph, options.format as Format));
    });
}

/** Reads the manifest of an app folder or a built entry. */
function loadManifest(path: string): Manifest {
  if (!existsSync(path))
    throw runtimeError("WEAVER_ERR_BINARY", `${path} does not exist: give an app folder or the app's built entry (e.g. dist/main.js)`);
  if (!statSync(path).isDirectory()) return readManifest(path);
  const found = findManifests(path, 4);
  if (found.length === 0) {
    throw runtimeError(
      "WEAVER_ERR_NOT_GENERATED",
      `${path} is not a generated Weaver app: there is no ${MANIFEST_FILE} in it or its folders; run \`weaver generate ${path}\` first, or give the app's built entry (e.g. dist/main.js)`,
    );
  }
  if (found.length > 1) {
    const list = found.map((f) => relative(process.cwd(), f)).join(", ");
    throw new UsageError(`${path} holds ${found.length} apps (${list}); give the folder of one of them`);
  }
  const file = found[0] as string;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch (e) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `${file} is not valid JSON (${(e as Error).message}): run \`weaver generate\` on the app`,
    );
  }
  if (!Array.isArray(manifest?.components) || !Array.isArray(manifest.callGraph)) {
    throw runtimeError("WEAVER_ERR_STALE_GENERATED", `${file} is not a Weaver manifest: run \`weaver generate\` on the app`);
  }
  if (manifest.codegenVersion !== CODEGEN_VERSION) {
    throw runtimeError(
      "WEAVER_ERR_STALE_GENERATED",
      `${file} was written by weaver generate ${manifest.codegenVersion}, but this weaver reads ${CODEGEN_VERSION}: run \`weaver generate\` on the app`,
    );
  }
  return manifest;
}

/** The manifest files in `dir` and its folders, down to `depth` levels (dependencies and builds skipped). */
function findManifests(dir: string, depth: number): string[] {
  const here = join(dir, MANIFEST_FILE);
  if (existsSync(here)) return [here];
  if (depth === 0) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith(".") && !SKIPPED.has(entry.name))
      found.push(...findManifests(join(dir, entry.name), depth - 1));
  }
  return found;
}

/** Renders a call graph in a format. */
export function render(graph: CallGraph, format: Format): string {
  const number = new Map(graph.components.map((c, i) => [c.name, i] as const));
  switch (format) {
    case "json":
      return `${JSON.stringify(graph, null, 2)}\n`;
    case "dot":
      return [
        `digraph ${JSON.stringify(graph.app)} {`,
        "    node [shape=box, style=rounded];",
        ...graph.components.map((c, i) => `    ${i} [label=${JSON.stringify(c.short)}];`),
        ...graph.edges.map(([from, to]) => `    ${number.get(from)} -> ${number.get(to)};`),
        "}",
        "",
      ].join("\n");
    case "mermaid":
      // Service Weaver's layout (internal/tool/callgraph): nodes numbered, labelled with short names.
      return [
        '%%{init: {"flowchart": {"defaultRenderer": "elk"}} }%%',
        "graph TD",
        "    %% Nodes.",
        ...graph.components.map((c, i) => `    ${i}(${c.short})`),
        "",
        "    %% Edges.",
        ...graph.edges.map(([from, to]) => `    ${number.get(from)} --> ${number.get(to)}`),
        "",
      ].join("\n");
  }
}
