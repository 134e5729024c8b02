import { Implements } from "@weaver/core";
import { loadRates } from "./logic/catalog.js";
import { convert } from "./logic/money.js";
import type { Currency, Money } from "./logic/types.js";

/** The currency component: conversions by the EUR-based rates of data/currency-rates.json. */
export class CurrencyImpl extends Implements<Currency>() implements Currency {
  readonly #rates = loadRates();

  async getSupportedCurrencies(): Promise<string[]> {
    return Object.keys(this.#rates);
  }

  async convert(from: Money, toCode: string): Promise<Money> {
    return convert(from, toCode, this.#rates);
  }
}
