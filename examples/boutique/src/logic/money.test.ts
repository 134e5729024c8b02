import { describe, expect, it } from "vitest";
import { convert, format, multiply, sum } from "./money.js";
import { cardType, charge, luhn } from "./payment.js";
import { recommend } from "./recommend.js";

const usd = (units: number, nanos: number) => ({ currencyCode: "USD", units, nanos });

describe("money", () => {
  it("adds with carry and multiplies", () => {
    expect(sum(usd(1, 600000000), usd(2, 500000000))).toEqual(usd(4, 100000000));
    expect(sum(usd(-1, -600000000), usd(2, 500000000))).toEqual(usd(0, 900000000));
    expect(multiply(usd(19, 990000000), 3)).toEqual(usd(59, 970000000));
    expect(() => sum(usd(1, 0), { currencyCode: "EUR", units: 1, nanos: 0 })).toThrow("mismatching currency codes USD and EUR");
  });

  it("converts with the currency service's rounding", () => {
    const rates = { EUR: 1, USD: 1.1305, JPY: 126.4 };
    expect(convert(usd(19, 990000000), "EUR", rates)).toEqual({ currencyCode: "EUR", units: 17, nanos: 682441398 });
    expect(convert(usd(8, 990000000), "JPY", rates)).toEqual({ currencyCode: "JPY", units: 1005, nanos: 162317560 });
    expect(format({ currencyCode: "EUR", units: 17, nanos: 682441398 })).toBe("€17.68");
  });
});

describe("payment", () => {
  it("validates cards: Luhn, VISA or MasterCard, not expired", () => {
    expect(luhn("4432801561520454")).toBe(true);
    expect(luhn("4432801561520455")).toBe(false);
    expect(cardType("4432801561520454")).toBe("visa");
    expect(cardType("5555555555554444")).toBe("mastercard");
    expect(cardType("378282246310005")).toBe("other");
    const card = { number: "5555 5555 5555 4444", cvv: 1, expirationYear: 2030, expirationMonth: 6 };
    expect(charge(usd(1, 0), card, new Date("2030-06-15"))).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => charge(usd(1, 0), card, new Date("2030-07-01"))).toThrow("Your credit card (ending 4444) expired on 6/2030");
  });
});

describe("recommend", () => {
  it("answers up to 5 products not in the list", () => {
    const all = ["a", "b", "c", "d", "e", "f", "g"];
    const out = recommend(all, ["a", "b"]);
    expect(new Set(out).size).toBe(5);
    expect(out).not.toContain("a");
    expect(recommend(all, all)).toEqual([]);
  });
});
