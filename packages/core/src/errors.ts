/**
 * The error catalog of @weaver/core. Every error the app API throws carries one of these codes;
 * docs/errors.md documents each (a test keeps the two in step). Codes are never reused.
 */
import { WeaverError } from "@weaver/runtime";
import type { ErrorDoc } from "@weaver/runtime/core";

/** Every code @weaver/core throws, with its meaning and fix. */
export const CORE_ERRORS = {
  WEAVER_ERR_REF_UNBOUND: {
    meaning: "A ref's get() was called on a component the runtime did not create.",
    fix: "Get components through run(), a ref, or the testing kit, not with `new`.",
  },
  WEAVER_ERR_LISTENER_UNBOUND: {
    meaning: "A listener was used before the runtime bound it.",
    fix: "Use listeners from init() or main() on, in components the runtime created.",
  },
  WEAVER_ERR_LISTENER_BIND: {
    meaning: "A listener could not bind its address.",
    fix: "Free the port or choose another address in [single] listeners.<name>.",
  },
  WEAVER_ERR_INIT: {
    meaning: "A component's init() failed.",
    fix: "See the cause; init() runs after the components it refers to are initialized.",
  },
  WEAVER_ERR_INIT_TIMEOUT: {
    meaning: "A component's init() did not finish within [serviceweaver] init_timeout (30s unless set).",
    fix: "Make sure init() settles (a Promise that is never resolved hangs it); if it needs longer, raise init_timeout.",
  },
  WEAVER_ERR_RUNNER: {
    meaning:
      "The multi runner of the testing kit could not run the app: a component's process ended before it was ready, it was not ready in time, or the test reached for an object in another process.",
    fix: "Read the process's last lines in the message (a config or init() error); build the app before the test; use app.get(), or the local or rpc runner for instance() and stats().",
  },
  WEAVER_ERR_MAIN: {
    meaning: "run() was given a class that is not the app's Main implementation.",
    fix: "Pass the class that extends Implements<Main>() and run `weaver generate`.",
  },
} as const satisfies Record<string, ErrorDoc>;

/** A code from the core error catalog. */
export type CoreErrorCode = keyof typeof CORE_ERRORS;

/** Creates a core error with a catalog code. */
export function coreError(code: CoreErrorCode, message: string, cause?: unknown): WeaverError {
  return new WeaverError(code, message, cause === undefined ? undefined : { cause });
}
