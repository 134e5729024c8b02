// The conformance suite against `weaver single deploy`: every component in the one process, which
// is the deployment, so a crash ends it.
import { runDeployerCases } from "./cases.js";

runDeployerCases({ name: "single", crash: "ends" });
