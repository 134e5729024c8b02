// The conformance suite against weaver-minimal (test/minimal-deployer), a deployer written against
// the public deployer API only, plugged in as `weaver minimal`: weaver runs the executable
// weaver-minimal it finds on PATH, where npm links the package's bin.
import { delimiter, join } from "node:path";
import { ROOT } from "../support/process.js";
import { runDeployerCases } from "./cases.js";

process.env["PATH"] = `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env["PATH"] ?? ""}`;

runDeployerCases({ name: "minimal", crash: "heals" });
