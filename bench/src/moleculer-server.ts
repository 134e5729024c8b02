/**
 * The Moleculer peer's server broker (a process of its own), with service "echo" whose actions
 * return what they are given. Usage: MOLECULER_PORTS=<server>,<client> node moleculer-server.js;
 * prints "moleculer echo serving" when ready.
 */
import moleculer from "moleculer";
import { brokerOptions } from "./moleculer-common.js";

const [serverPort, clientPort] = (process.env["MOLECULER_PORTS"] ?? "").split(",").map(Number);
if (!serverPort || !clientPort) throw new Error("MOLECULER_PORTS is not <server port>,<client port>");
const broker = new moleculer.ServiceBroker(brokerOptions("server", { serverPort, clientPort }));
broker.createService({
  name: "echo",
  actions: {
    echo: (ctx: moleculer.Context<{ p: unknown }>) => ctx.params.p,
  },
});
await broker.start();
console.log("moleculer echo serving");
process.once("SIGTERM", () => void broker.stop().finally(() => process.exit(0)));
