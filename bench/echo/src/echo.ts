import { Implements } from "@weaver/core";

/** Echo returns what it is given: the smallest possible remote call. */
export interface Echo {
  /** Returns s. */
  echo(s: string): Promise<string>;
  /** Returns b. */
  echoBytes(b: Uint8Array): Promise<Uint8Array>;
}

export class EchoImpl extends Implements<Echo>() implements Echo {
  async echo(s: string): Promise<string> {
    return s;
  }

  async echoBytes(b: Uint8Array): Promise<Uint8Array> {
    return b;
  }
}
