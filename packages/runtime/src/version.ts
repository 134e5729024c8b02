/** Versions of the framework, the generated code and the deployer protocol. */

/** The version of Weaver for TypeScript. */
export const WEAVER_VERSION = "0.1.0";

/**
 * The version of the code `weaver generate` writes. Generated code built against a runtime with
 * another version fails to type-check (see CodegenVersionCheck) and refuses to run.
 */
export const CODEGEN_VERSION = "0.4";

/**
 * A type that generated code assigns its version message to: it is `string` only when the
 * generated code's version equals CODEGEN_VERSION, so stale generated code fails to compile and
 * the compiler shows the message, which says to run `weaver generate`.
 */
export type CodegenVersionCheck<V extends string> = V extends typeof CODEGEN_VERSION ? string : never;
