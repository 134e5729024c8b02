// The checkout form's prefilled values: the Online Boutique's own test order (a VISA number that
// passes the Luhn check, expiring in 2039). The cart page offers it; tests and the benchmark's
// shoppers submit it.

/** A valid order for POST /cart/checkout, as the cart page's form fills it in. */
export const CHECKOUT_FORM: Readonly<Record<string, string>> = {
  email: "someone@example.com",
  street_address: "1600 Amphitheatre Parkway",
  zip_code: "94043",
  city: "Mountain View",
  state: "CA",
  country: "United States",
  credit_card_number: "4432-8015-6152-0454",
  credit_card_expiration_month: "1",
  credit_card_expiration_year: "2039",
  credit_card_cvv: "672",
};
