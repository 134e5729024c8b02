/**
 * A DER writer: the few ASN.1 types an X.509 certificate is made of, encoded as ITU-T X.690's
 * Distinguished Encoding Rules (definite lengths, minimal integers, and so on), because
 * node:crypto can sign and parse certificates but not write them. Every function returns the
 * complete TLV (tag, length, value) of one value.
 */

/** Encodes one value: its tag byte, its length (short or long form), then its content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let head: Buffer;
  if (n < 0x80) head = Buffer.from([tag, n]);
  else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, content]);
}

/** A SEQUENCE of already encoded values. */
export function sequence(...items: readonly Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** A SET of already encoded values (DER sorts them; callers here only ever pass one). */
export function set(...items: readonly Uint8Array[]): Buffer {
  const sorted = [...items].map((i) => Buffer.from(i)).sort(Buffer.compare);
  return tlv(0x31, Buffer.concat(sorted));
}

/** A non-negative INTEGER, given as a number, a bigint or its big-endian bytes. */
export function integer(value: number | bigint | Uint8Array): Buffer {
  let bytes: Buffer;
  if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError("only non-negative integers are encoded here");
    const hex = big.toString(16);
    bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, "hex");
  }
  // Minimal: no leading zero bytes, but one zero byte when the top bit would read as a sign.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  return tlv(0x02, (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** A BOOLEAN. */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** An OBJECT IDENTIFIER in dotted form, e.g. "2.5.29.17". */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`${dotted} is not a dotted object identifier`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new Error(`${dotted} needs at least two arcs`);
  const out: number[] = [];
  const base128 = (arc: bigint): void => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  base128((arcs[0] as bigint) * 40n + (arcs[1] as bigint));
  for (const arc of arcs.slice(2)) base128(arc);
  return tlv(0x06, Buffer.from(out));
}

/** A UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, "utf8"));
}

/** An OCTET STRING. */
export function octetString(bytes: Uint8Array): Buffer {
  return tlv(0x04, bytes);
}

/** A BIT STRING of whole bytes (no unused bits), as signatures and keys are. */
export function bitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

/**
 * A BIT STRING of named bits (bit 0 is the most significant bit of the first byte), as KeyUsage
 * is: DER drops trailing zero bits and counts them as unused.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return tlv(0x03, Buffer.from([0]));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] as number) | (0x80 >> (b & 7));
  const unused = 7 - (highest & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/**
 * A certificate validity time: UTCTime for 1950 to 2049, GeneralizedTime otherwise (RFC 5280
 * 4.1.2.5), to the second, in UTC.
 */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, "0");
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${two(year % 100)}${rest}`, "ascii"));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, "0")}${rest}`, "ascii"));
}

/** An explicitly tagged value: context-specific, constructed tag [n] around an encoded value. */
export function explicit(n: number, value: Uint8Array): Buffer {
  return tlv(0xa0 | n, value);
}

/** An implicitly tagged primitive value: context-specific tag [n] with the raw content, as GeneralName's URI [6]. */
export function implicit(n: number, content: Uint8Array): Buffer {
  return tlv(0x80 | n, content);
}
