import { Implements, ref } from "@weaver/core";
import type { Names } from "./names.js";

/** Greeter greets people by name. */
export interface Greeter {
  greet(name: string): Promise<string>;
}

export class GreeterImpl extends Implements<Greeter>() implements Greeter {
  names = ref<Names>();

  async greet(name: string): Promise<string> {
    const tidy = await this.names.get().tidy(name);
    this.logger.debug({ name: tidy }, "greeting");
    return `Hello, ${tidy}!`;
  }
}
