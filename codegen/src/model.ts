/** What the analysis of an app yields: the input of the emitter and of the manifest. */
import type { ConfigSchema } from "@weaver/runtime/codegen";
import type { SharedType } from "./shared-types.js";

/** A parameter of a component method. */
export interface ParamModel {
  readonly name: string;
  /** TypeScript text of the parameter's type, self-contained but for tokens of the app's shared types. */
  readonly text: string;
  /** The check of an argument (see checks.ts): code reading it at VALUE, with tokens of the app's shared types' checks. */
  readonly check: string;
  readonly optional: boolean;
  readonly rest: boolean;
}

/** A method of a component interface. */
export interface MethodModel {
  readonly name: string;
  readonly retriable: boolean;
  readonly params: readonly ParamModel[];
  /** TypeScript text of T in the method's Promise<T>, with tokens of shared types (as ParamModel.text). */
  readonly result: string;
  /** The check of the result, as ParamModel.check; `true` for a void result. */
  readonly resultCheck: string;
}

/** A field of an implementation that holds a ref or a listener. */
export interface FieldModel {
  readonly field: string;
  /** Whether generated code may name the field's type (it is neither private nor protected). */
  readonly visible: boolean;
}

/** A component's router: the class its implementation names in `static router`. */
export interface RouterModel {
  /** The router class's name, for messages. */
  readonly name: string;
  /** The routed methods (those the router declares), in the component's method order. */
  readonly methods: readonly string[];
}

/** A component: its interface, implementation and what the implementation declares. */
export interface ComponentModel {
  /** Full name: `<package>/<Interface>`, or `weaver/Main`. */
  readonly name: string;
  readonly short: string;
  readonly isMain: boolean;
  /** Interface name and file; undefined for Main. */
  readonly iface: { readonly name: string; readonly file: string } | undefined;
  readonly impl: { readonly name: string; readonly file: string };
  readonly methods: readonly MethodModel[];
  readonly refs: readonly (FieldModel & { readonly component: string })[];
  readonly listeners: readonly (FieldModel & { readonly name: string })[];
  readonly config: ConfigSchema | null;
  /** TypeScript text of the config type, when there is one, with tokens of shared types (as ParamModel.text). */
  readonly configText: string | null;
  /** Property lists of the object types the methods exchange (codec record structures). */
  readonly structures: readonly (readonly string[])[];
  /** The router, when the implementation declares one: calls of its methods are routed by key. */
  readonly router?: RouterModel;
}

/** An analysed app. */
export interface AppModel {
  /** Absolute path of the app folder (the one with tsconfig.json). */
  readonly dir: string;
  /** The npm package name (or folder name) components are named after. */
  readonly pkg: string;
  /** The app name: the package name without scope. */
  readonly app: string;
  /** Absolute path of the folder weaver_gen.ts goes to (beside Main's implementation). */
  readonly genDir: string;
  /** Components sorted by full name. */
  readonly components: readonly ComponentModel[];
  /** The named types the texts of the components refer to by token (see shared-types.ts). */
  readonly types: readonly SharedType[];
}
