// The conformance suite against `weaver multi deploy`: every component in replicated processes
// that are restarted when they die.
import { runDeployerCases } from "./cases.js";

runDeployerCases({ name: "multi", crash: "heals" });
