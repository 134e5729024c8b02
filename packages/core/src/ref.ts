/** References from one component to another: `reverser = ref<Reverser>()`. */
import { coreError } from "./errors.js";

let setTarget: (ref: Ref<unknown>, target: unknown) => void;

/**
 * A reference to another component, filled in by the runtime. `get()` returns a handle that may
 * call a local instance or a remote replica; callers cannot tell and need not care.
 */
export class Ref<T> {
  #target: T | undefined;

  /** Returns the referenced component. */
  get(): T {
    if (this.#target === undefined) {
      throw coreError(
        "WEAVER_ERR_REF_UNBOUND",
        "ref.get() on a component the runtime did not create: get components through run(), another ref or the testing kit, not with `new`",
      );
    }
    return this.#target;
  }

  static {
    setTarget = (ref, target) => {
      ref.#target = target;
    };
  }
}

/** Fills a ref with its target; the runtime calls this once the target exists. */
export function bindRef<T>(ref: Ref<T>, target: T): void {
  setTarget(ref as Ref<unknown>, target);
}

/**
 * Declares a reference to component T; assign it to a field of a component implementation.
 * `weaver generate` reads T from the type argument, which is therefore required.
 *
 * @example
 * export class App extends Implements<Main>() {
 *   reverser = ref<Reverser>();
 * }
 */
export function ref<T>(): Ref<T> {
  return new Ref<T>();
}
