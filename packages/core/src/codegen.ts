/**
 * @weaver/core/codegen: what the code `weaver generate` writes imports, so that an app depends on
 * @weaver/core alone. It is @weaver/runtime/codegen plus the types of refs and listeners, which
 * the generated checks compare the app's fields with. Not for hand-written code.
 *
 * @module
 */
export {
  registerApp,
  checkArgs,
  checkArray,
  checkMap,
  checkObject,
  checkRecord,
  checkRest,
  checkSet,
  checkTemplate,
  checkTuple,
  mismatch,
  mismatchValue,
  own,
  within,
  type MethodChecks,
  type CodegenVersionCheck,
  type ComponentRegistration,
  type LocalCalls,
  type RemoteCalls,
  type ServerMethod,
} from "@weaver/runtime/codegen";
export type { Ref } from "./ref.js";
export type { Listener } from "./listener.js";
