import { Implements } from "@weaver/core";

/** Names tidies the names people type. */
export interface Names {
  /** Trims a name and capitalizes each of its words; "World" when nothing is left. */
  tidy(name: string): Promise<string>;
}

export class NamesImpl extends Implements<Names>() implements Names {
  async tidy(name: string): Promise<string> {
    const words = name
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    return words.length === 0 ? "World" : words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join(" ");
  }
}
