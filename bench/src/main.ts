// `npm run bench`: every benchmark, as ratios against baselines measured in the same run.
import { codecCases } from "./codec.js";
import { table } from "./harness.js";
import { localStubCases } from "./local-stub.js";

console.log(`node ${process.version}, ${process.platform}/${process.arch}; medians of alternating rounds\n`);
console.log(table("Local calls", await localStubCases()));
console.log();
console.log(table("Codecs (encode + decode)", await codecCases()));
