/**
 * The error catalog of @weaver/runtime. Every error the runtime throws carries one of these codes;
 * docs/errors.md documents each (a test keeps the two in step). Codes are never reused.
 */

/** What a runtime error code means and how to fix it. */
export interface ErrorDoc {
  readonly meaning: string;
  readonly fix: string;
}

/** Every code @weaver/runtime throws, with its meaning and fix. */
export const RUNTIME_ERRORS = {
  WEAVER_ERR_CONFIG_READ: {
    meaning: "The config file cannot be read.",
    fix: "Check the path given to `weaver ... deploy` or in SERVICEWEAVER_CONFIG.",
  },
  WEAVER_ERR_CONFIG_PARSE: {
    meaning: "The config file is not valid TOML.",
    fix: "Fix the syntax at the line and column shown.",
  },
  WEAVER_ERR_CONFIG_SECTION: {
    meaning: "A section of weaver.toml is unknown or given twice under two names.",
    fix: "Remove or rename the section; known sections are [serviceweaver], one per deployer ([single], [multi], each installed plugin's) and one per component, keyed by its full name.",
  },
  WEAVER_ERR_CONFIG_KEY: {
    meaning: "A key in weaver.toml is unknown, missing or has the wrong type.",
    fix: "Use the keys and types the message lists; a component's keys are the fields of its config type.",
  },
  WEAVER_ERR_CONFIG_COMPONENT: {
    meaning: "weaver.toml names a component the app does not have.",
    fix: "Use the full name (`<package>/<Interface>`) of a component; `weaver generate` lists them in weaver_manifest.json.",
  },
  WEAVER_ERR_CONFIG_LISTENER: {
    meaning:
      "weaver.toml configures a listener no component declares, gives it a bad address, or one the deployer cannot listen on (in use, shared by two listeners, a host that does not resolve).",
    fix: 'Use a listener name declared with listener(), and a free host:port of this machine (":0" picks a free port).',
  },
  WEAVER_ERR_CONFIG_SECRET: {
    meaning: "A secret reference (${env:NAME} or ${file:PATH}) cannot be resolved.",
    fix: "Set the environment variable or create the file; the value itself is never printed.",
  },
  WEAVER_ERR_BINARY: {
    meaning: "The app binary named by [serviceweaver] binary is missing.",
    fix: "Build the app (`npm run build`) or correct the path; it is resolved against the config file's folder.",
  },
  WEAVER_ERR_NOT_GENERATED: {
    meaning: "The app's generated code is missing or was not loaded.",
    fix: "Run `weaver generate` on the app and rebuild it.",
  },
  WEAVER_ERR_STALE_GENERATED: {
    meaning: "The app's generated code is older than its sources or than the framework.",
    fix: "Run `weaver generate` on the app and rebuild it.",
  },
  WEAVER_ERR_UNKNOWN_COMPONENT: {
    meaning: "A component was asked for that no generated code registers.",
    fix: "Run `weaver generate` and make sure the app's weaver_gen.js is imported.",
  },
  WEAVER_ERR_DECODE: {
    meaning: "A message between components could not be decoded.",
    fix: "Both ends must run the same build; redeploy the whole app.",
  },
  WEAVER_ERR_ENCODE: {
    meaning: "An argument or result could not be encoded.",
    fix: "Pass only serializable values (plain data, Date, Map, Set, Uint8Array, bigint).",
  },
  WEAVER_ERR_DEADLINE_EXCEEDED: {
    meaning: "A call did not finish before its deadline.",
    fix: "Raise the deadline given to withDeadline() or make the callee faster.",
  },
  WEAVER_ERR_CANCELLED: {
    meaning: "A call was cancelled by its caller.",
    fix: "Nothing to fix if the cancellation was intended.",
  },
  WEAVER_ERR_REPLICA_ARGS: {
    meaning: "The WEAVER_REPLICA variable a deployer passes to a replica process is malformed or inconsistent.",
    fix: "It is written by deployers: check the deployer, or unset WEAVER_REPLICA to run the app in one process.",
  },
  WEAVER_ERR_PROTOCOL: {
    meaning:
      "A deployer and a replica speak different versions of the deployer protocol: the app was built against another Weaver version than the weaver command that deploys it.",
    fix: "Deploy the app with the weaver of its own Weaver version (`npx weaver` in the app's folder), or update the app's @weaver/core to the deployer's version and rebuild.",
  },
  WEAVER_ERR_LOG_QUERY: {
    meaning: "A log query is not valid; the message shows the position of the mistake.",
    fix: 'Write conditions like field == "value", msg.contains("x") or attrs["k"] == "v", joined with && and ||; .matches() takes RE2 syntax (no backreferences or lookaround).',
  },
  WEAVER_ERR_REMOTE_CALL: {
    meaning: "A call to another component failed in transport; it may have run partially or fully.",
    fix: "Retry if the method is idempotent; check that the callee's processes are running.",
  },
  WEAVER_ERR_METRIC: {
    meaning:
      "A metric is declared or used wrongly: a bad or repeated name, bounds that do not increase, other labels than its first use, or a counter made to shrink.",
    fix: "Declare each metric once at module scope with a unique name; give a labelled metric the same label keys on every get().",
  },
  WEAVER_ERR_PROFILE: {
    meaning:
      "A profile could not be taken: a bad type or duration, a CPU profile already running in the replica, or no replica that answered.",
    fix: "Ask for type cpu or heap and a duration such as 30s; wait for a profile in progress to end; check with `weaver multi status` that the replicas are ready.",
  },
} as const satisfies Record<string, ErrorDoc>;

/** A code from the runtime's error catalog. */
export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

/** An error raised by the framework itself, with a stable code (see docs/errors.md). */
export class WeaverError extends Error {
  /** The catalog code, e.g. WEAVER_ERR_CONFIG_KEY. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return "WeaverError";
  }
}

/** Creates a runtime error with a catalog code. */
export function runtimeError(code: RuntimeErrorCode, message: string, cause?: unknown): WeaverError {
  return new WeaverError(code, message, cause === undefined ? undefined : { cause });
}
