import { Implements } from "@weaver/core";

/** Converter changes the case of strings. */
export interface Converter {
  /** Returns s in upper case. */
  toUpper(s: string): Promise<string>;
}

/** The implementation of the Converter component. */
export class ConverterImpl extends Implements<Converter>() implements Converter {
  async toUpper(s: string): Promise<string> {
    return s.toUpperCase();
  }
}
