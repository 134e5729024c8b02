// The DER writer against encodings worked out by hand from X.690 (and checked with openssl asn1parse).
import { describe, expect, it } from "vitest";
import { boolean, integer, namedBits, octetString, oid, sequence, set, time, tlv, utf8String } from "./der.js";

const hex = (b: Buffer): string => b.toString("hex");

describe("DER", () => {
  it("writes lengths in short form below 128 and in long form from 128", () => {
    expect(hex(tlv(0x04, Buffer.alloc(0)))).toBe("0400");
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe("047f");
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe("048180");
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe("0482012c");
    expect(tlv(0x04, Buffer.alloc(70_000)).subarray(0, 5)).toEqual(Buffer.from([0x04, 0x83, 0x01, 0x11, 0x70]));
  });

  it("writes minimal non-negative integers, with a zero byte where the top bit is set", () => {
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(127))).toBe("02017f");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(256))).toBe("02020100");
    expect(hex(integer(2n ** 64n))).toBe("0209010000000000000000");
    expect(hex(integer(Buffer.from([0, 0, 0x12])))).toBe("020112");
    expect(hex(integer(Buffer.from([0xff])))).toBe("020200ff");
    expect(() => integer(-1)).toThrow(RangeError);
  });

  it("writes object identifiers in base 128", () => {
    expect(hex(oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302"); // ecdsa-with-SHA256
    expect(hex(oid("2.5.29.17"))).toBe("0603551d11"); // subjectAltName
    expect(hex(oid("1.3.6.1.5.5.7.3.1"))).toBe("06082b06010505070301"); // serverAuth
    expect(() => oid("1.x")).toThrow(/not a dotted object identifier/);
  });

  it("writes named bit strings without trailing zero bits, counting them as unused", () => {
    expect(hex(namedBits([0]))).toBe("03020780"); // digitalSignature
    expect(hex(namedBits([5, 6]))).toBe("03020106"); // keyCertSign, cRLSign
    expect(hex(namedBits([8]))).toBe("0303070080");
    expect(hex(namedBits([]))).toBe("030100");
  });

  it("writes UTCTime up to 2049 and GeneralizedTime from 2050, to the second in UTC", () => {
    expect(
      time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)))
        .toString("latin1")
        .slice(2),
    ).toBe("260102030405Z");
    expect(time(new Date(Date.UTC(2026, 0, 2)))[0]).toBe(0x17);
    expect(
      time(new Date(Date.UTC(2050, 11, 31, 23, 59, 59)))
        .toString("latin1")
        .slice(2),
    ).toBe("20501231235959Z");
    expect(time(new Date(Date.UTC(2050, 0, 1)))[0]).toBe(0x18);
  });

  it("writes booleans, strings, sequences, and sets in sorted order", () => {
    expect(hex(boolean(true))).toBe("0101ff");
    expect(hex(boolean(false))).toBe("010100");
    expect(hex(utf8String("é"))).toBe("0c02c3a9");
    expect(hex(octetString(Buffer.from([1, 2])))).toBe("04020102");
    expect(hex(sequence(integer(1), boolean(true)))).toBe("30060201010101ff");
    expect(hex(set(integer(2), integer(1)))).toBe("3106020101020102");
  });
});
