import { describe, expect, it } from "vitest";
import { CorruptWeightsError, UnsupportedFormatError } from "./weights-errors";
import { crc32, looksLikeZip, ZipReader } from "./zip-reader";

/** A one-entry zip (stored or with a fake method), written by hand for the tests. */
function makeZip(name: string, data: Uint8Array, method = 0, comment = ""): Uint8Array {
  const enc = new TextEncoder();
  const n = enc.encode(name);
  const c = enc.encode(comment);
  const local = new Uint8Array(30 + n.length + data.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(8, method, true);
  lv.setUint32(14, crc32(data), true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, data.length, true);
  lv.setUint16(26, n.length, true);
  local.set(n, 30);
  local.set(data, 30 + n.length);
  const central = new Uint8Array(46 + n.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, method, true);
  cv.setUint32(16, crc32(data), true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, data.length, true);
  cv.setUint16(28, n.length, true);
  cv.setUint32(42, 0, true);
  central.set(n, 46);
  const end = new Uint8Array(22 + c.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length, true);
  ev.setUint16(20, c.length, true);
  end.set(c, 22);
  return new Uint8Array([...local, ...central, ...end]);
}

describe("ZipReader", () => {
  it("computes the standard CRC-32 check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("reads a stored entry behind an archive comment", async () => {
    const data = new TextEncoder().encode("hello weights");
    const zip = new ZipReader(makeZip("a/b.txt", data, 0, "a comment"), "t.zip");
    expect(looksLikeZip(makeZip("x", data))).toBe(true);
    expect([...zip.entries.keys()]).toEqual(["a/b.txt"]);
    expect(new TextDecoder().decode(await zip.read("a/b.txt"))).toBe("hello weights");
  });

  it("treats entry names as plain keys, even path-traversal ones", async () => {
    const zip = new ZipReader(makeZip("../../etc/passwd", new Uint8Array([1])), "t.zip");
    expect(await zip.read("../../etc/passwd")).toEqual(new Uint8Array([1]));
  });

  it("refuses unknown compression methods and missing entries clearly", async () => {
    const zip = new ZipReader(makeZip("x", new Uint8Array([1]), 12), "t.zip");
    await expect(zip.read("x")).rejects.toThrow(UnsupportedFormatError);
    await expect(zip.read("x")).rejects.toThrow(/compression method 12/);
    await expect(zip.read("y")).rejects.toThrow(/entry "y" is missing/);
  });

  it("reports a missing end-of-central-directory record", () => {
    expect(() => new ZipReader(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), "t.zip")).toThrow(
      CorruptWeightsError,
    );
  });
});
