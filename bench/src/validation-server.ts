/**
 * The server of the validation benchmark (a process of its own): bench/echo's Echo and the bank's
 * Teller, each behind two RpcServers running componentHandler, as a replica serves them: one
 * checks arguments (what every replica does), the other does not (an internal option, for this
 * benchmark only). Usage: VALIDATION_SOCKETS=<dir> node validation-server.js; listens on
 * <dir>/{echo,bank}-{on,off}.sock and prints "validation servers serving" when ready.
 */
import { join } from "node:path";
import { RpcServer } from "@weaver/rpc";
import {
  CancelledError,
  DeadlineExceededError,
  MethodStats,
  componentHandler,
  getComponent,
  type ServedComponent,
} from "@weaver/runtime/core";
import "bank/dist/weaver_gen.js";
import { TellerImpl } from "bank/dist/teller.js";
import "echo/dist/weaver_gen.js";
import { EchoImpl } from "echo/dist/echo.js";

const dir = process.env["VALIDATION_SOCKETS"];
if (!dir) throw new Error("VALIDATION_SOCKETS is not set");

// Each component is served with its statistics, as a weavelet serves it.
for (const [app, name, impl] of [
  ["echo", "echo/Echo", new EchoImpl()],
  ["bank", "bank/Teller", new TellerImpl()],
] as const) {
  const component = getComponent(name);
  const served: ServedComponent = { impl, stats: component.manifest.methods.map((m) => new MethodStats(name, m.name)) };
  const local = (n: string): Promise<ServedComponent> | undefined => (n === name ? Promise.resolve(served) : undefined);
  for (const validate of [true, false]) {
    const server = new RpcServer({
      deployment: "bench",
      version: component.app.versionHash,
      id: `${app}-${validate ? "on" : "off"}`,
      handler: componentHandler(component.app, local, { validate }),
      deadlineReason: () => new DeadlineExceededError(),
      cancelReason: () => new CancelledError(),
    });
    await server.listen({ path: join(dir, `${app}-${validate ? "on" : "off"}.sock`) });
  }
}
console.log("validation servers serving");
