import { Implements } from "@weaver/core";

/** Reverser reverses strings. */
export interface Reverser {
  /** Returns s with its characters (Unicode code points) in reverse order. */
  reverse(s: string): Promise<string>;
}

/** The implementation of the Reverser component. */
export class ReverserImpl extends Implements<Reverser>() implements Reverser {
  async reverse(s: string): Promise<string> {
    this.logger.debug({ len: s.length }, "reversing");
    return [...s].reverse().join("");
  }
}
