import { Implements } from "@weaver/core";

/** Upper upper-cases text. */
export interface Upper {
  upper(s: string): Promise<string>;
}

export class UpperImpl extends Implements<Upper>() implements Upper {
  async init(): Promise<void> {
    // Tests of the deployer's crash-loop report set this.
    if (process.env["NETAPP_CRASH_AT_START"]) {
      console.error("connecting to the database at db.invalid:5432");
      throw new Error("boom: cannot reach the database");
    }
  }

  async upper(s: string): Promise<string> {
    return s.toUpperCase();
  }
}
