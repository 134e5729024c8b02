// `npm run bench`: every benchmark, as ratios against baselines measured in the same run.
// `npm run bench -- rpc` (or local, codec, validation, mtls, observability, routing, multi, dev) runs only the sections named.
import { codecCases } from "./codec.js";
import { devCases } from "./dev.js";
import { table } from "./harness.js";
import { localStubCases } from "./local-stub.js";
import { mtlsCases } from "./mtls.js";
import { multiCases } from "./multi.js";
import { observabilityCases } from "./observability.js";
import { routingCases } from "./routing.js";
import { rpcCases } from "./rpc.js";
import { validationCases } from "./validation.js";

const only = new Set(process.argv.slice(2));
const wanted = (section: string): boolean => only.size === 0 || only.has(section);
const progress = (line: string): void => void process.stderr.write(`  [bench] ${line}\n`);

console.log(`node ${process.version}, ${process.platform}/${process.arch}; medians of alternating rounds\n`);
if (wanted("local")) {
  console.log(table("Local calls", await localStubCases()));
  console.log();
}
if (wanted("codec")) {
  console.log(table("Codecs (encode + decode)", await codecCases()));
  console.log();
}
if (wanted("rpc")) {
  for (const section of await rpcCases(progress)) {
    console.log(table(section.title, section.results));
    console.log();
  }
}
if (wanted("mtls")) {
  console.log(table("Mutual TLS: remote calls over TCP on 127.0.0.1, mTLS (CA, call graph) vs plain", await mtlsCases(progress)));
  console.log();
}
if (wanted("observability")) {
  console.log(table("Observability: metrics and tracing on vs off", await observabilityCases(progress)));
  console.log();
}
if (wanted("routing")) {
  console.log(table("Routing: calls routed by key vs balanced per call, to 2 replicas", await routingCases(progress)));
  console.log();
}
if (wanted("multi")) {
  const { results, startupMs } = await multiCases(progress);
  console.log(table("Multi-process deployer", results));
  console.log(
    `deploy to first answered request: ${startupMs.toFixed(0)} ms (target under 2000 ms): ${startupMs < 2000 ? "met" : "MISSED"}`,
  );
  console.log();
}
if (wanted("dev")) {
  const results = await devCases(progress);
  console.log(table("The edit loop", results));
  for (const r of results) {
    const ms = r.ns / 1e6;
    console.log(`${r.name}: ${ms.toFixed(0)} ms (target under 2000 ms): ${ms < 2000 ? "met" : "MISSED"}`);
  }
  console.log();
}
if (wanted("validation")) {
  console.log(table("Checked arguments and results: remote calls with the checks on vs off", await validationCases(progress)));
  console.log();
}
