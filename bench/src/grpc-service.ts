/**
 * The gRPC peer's service: one unary method, Echo, whose messages are msgpackr-encoded like ours
 * (the request is the argument list, the response the result), so no protoc is needed.
 */
import type { ServiceDefinition } from "@grpc/grpc-js";
import { rawCodec } from "./raw-framing.js";

const codec = rawCodec();

/** The service definition both ends use. */
export const echoService = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: (args: unknown[]): Buffer => codec.pack(args),
    requestDeserialize: (bytes: Buffer): unknown[] => codec.unpack(bytes) as unknown[],
    responseSerialize: (value: unknown): Buffer => codec.pack(value),
    responseDeserialize: (bytes: Buffer): unknown => codec.unpack(bytes),
  },
} satisfies ServiceDefinition;
