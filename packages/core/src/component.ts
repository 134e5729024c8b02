/**
 * Component implementations: `class ReverserImpl extends Implements<Reverser>() implements Reverser`.
 * The runtime creates implementations (never `new` in app code) and hands each its logger and
 * config while it is constructed, so both are usable from the constructor on.
 */
import type { Logger } from "pino";
import { pino } from "pino";

/** The interface of the main component: run() creates it and calls main(). */
export interface Main {
  /** The body of the app. When it returns, the process lives on while it has work (servers, timers). */
  main(): Promise<void>;
}

/** What the runtime hands a component while constructing it. */
export interface ComponentState {
  readonly logger: Logger;
  readonly config: unknown;
}

declare const kInterface: unique symbol;

let constructing: ComponentState | undefined;

/**
 * The base class of component implementations (what Implements returns). I is the component's
 * interface; C is its config type, read from the component's section of weaver.toml.
 */
export abstract class Component<I extends object = object, C = undefined> {
  /** Carries I in the type, so tools can recover the interface from an implementation class. */
  declare readonly [kInterface]: I;
  readonly #state: ComponentState;

  constructor() {
    this.#state = constructing ?? { logger: detachedLogger(new.target.name), config: undefined };
  }

  /** The component's logger: a pino logger whose entries carry app, deployment, component and replica. */
  get logger(): Logger {
    return this.#state.logger;
  }

  /** The component's config, checked against C when the component was created. */
  get config(): ConfigOf<C> {
    return this.#state.config as ConfigOf<C>;
  }
}

/** The type of `this.config`: C made read-only, or undefined for a component without config. */
export type ConfigOf<C> = C extends undefined ? undefined : Readonly<C>;

/** A class that implements component I. */
export type ComponentClass<I extends object = object> = new () => Component<I, unknown> & I;

/** The interface a component implementation class implements. */
export type InterfaceOf<T> = T extends abstract new () => { readonly [kInterface]: infer I } ? I : never;

/**
 * Declares a component implementation: extend `Implements<I>()` (or `Implements<I, Config>()`
 * for a component with config) and implement I. `weaver generate` finds components through
 * these calls, so both type arguments are read at build time and need no runtime value.
 *
 * @example
 * export interface Reverser { reverse(s: string): Promise<string>; }
 * export class ReverserImpl extends Implements<Reverser>() implements Reverser {
 *   async reverse(s: string) { return [...s].reverse().join(""); }
 * }
 */
export function Implements<I extends object, C = undefined>(): abstract new () => Component<I, C> {
  return Component as unknown as abstract new () => Component<I, C>;
}

/** Constructs an implementation, handing it `state` (the runtime's only way to create components). */
export function construct<T>(cls: new () => T, state: ComponentState): T {
  const previous = constructing;
  constructing = state;
  try {
    return new cls();
  } finally {
    constructing = previous;
  }
}

let detached: Logger | undefined;

function detachedLogger(name: string): Logger {
  detached ??= pino({ level: process.env["WEAVER_LOG_LEVEL"] ?? "info" });
  return detached.child({ component: name });
}
