/**
 * The gRPC peer's server (a process of its own): Echo answers with its first argument.
 * Usage: GRPC_ECHO_ADDRESS=unix:///path node grpc-server.js; prints "grpc echo serving" when ready.
 */
import * as grpc from "@grpc/grpc-js";
import { echoService } from "./grpc-service.js";

const address = process.env["GRPC_ECHO_ADDRESS"];
if (!address) throw new Error("GRPC_ECHO_ADDRESS is not set");
const server = new grpc.Server();
server.addService(echoService, {
  echo: (call: grpc.ServerUnaryCall<unknown[], unknown>, callback: grpc.sendUnaryData<unknown>) => callback(null, call.request[0]),
});
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e) => {
  if (e) throw e;
  console.log("grpc echo serving");
});
