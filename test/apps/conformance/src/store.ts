import { Implements } from "@weaver/core";

/** Store files values; Echo calls it, so calls also cross between components other than Main. */
export interface Store {
  /** Files a value and says where; keeps nothing a replica's peers would need. */
  save(value: string): Promise<string>;
}

export class StoreImpl extends Implements<Store>() implements Store {
  async save(value: string): Promise<string> {
    return `saved ${value}`;
  }
}
