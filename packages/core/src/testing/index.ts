/**
 * @weaver/core/testing: test components in-process, the way Service Weaver's weavertest does.
 *
 * Two runners run the same test body: `local` (components call each other directly, as in a
 * single process) and `rpc` (every call goes through the generated client and server stubs,
 * msgpackr and a real Unix socket, and each retriable call runs twice, to expose methods that
 * are not idempotent).
 * Fakes stand in for components. Main is not run; tests get components by implementation class.
 * Import the app's generated code (`import "./weaver_gen.js"`) in the test file.
 *
 * @example
 * import "../src/weaver_gen.js";
 * import { runners } from "@weaver/core/testing";
 * for (const runner of runners) {
 *   it(`reverses (${runner.name})`, () =>
 *     runner.run(async (app) => {
 *       const reverser = await app.get(ReverserImpl);
 *       expect(await reverser.reverse("abc")).toBe("cba");
 *     }));
 * }
 *
 * @module
 */
import { local, rpc } from "./in-process.js";
import { multi } from "./multi.js";
import type { Runner } from "./runner.js";

export { fake, type Fake, type RunOptions, type TestApp, type Runner } from "./runner.js";
export { local, rpc, multi };

/** The three runners, to run one test body under each (Service Weaver's weavertest.AllRunners). */
export const runners: readonly Runner[] = [local, rpc, multi];
