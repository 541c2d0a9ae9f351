import { describe, expect, it } from "vitest";
import { caseLabel, casesOf, readBytes, sha256, sourceImage } from "../test/fixtures";
import { InvalidImageError } from "./errors";
import { hflip } from "./hflip";

describe("hflip vs Pillow Image.transpose(FLIP_LEFT_RIGHT)", () => {
  for (const c of casesOf("hflip")) {
    it(`is bit-exact on ${caseLabel(c)} (${c.channels} channel(s))`, () => {
      const src = sourceImage(c.source);
      const out = hflip(src);
      expect([out.width, out.height, out.channels]).toEqual([c.width, c.height, c.channels]);
      if (c.file) expect(out.data).toEqual(readBytes(c.file));
      expect(sha256(out.data)).toBe(c.sha256);
    });
  }

  it("is an involution and does not modify its input", () => {
    const src = sourceImage("noise37x29");
    const before = src.data.slice();
    expect(hflip(hflip(src)).data).toEqual(before);
    expect(src.data).toEqual(before);
  });

  it("rejects a data buffer of the wrong length, naming the expected size", () => {
    expect(() => hflip({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 })).toThrow(
      InvalidImageError,
    );
    expect(() => hflip({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 })).toThrow(
      /data\.length: got 10.*must hold 12 bytes/,
    );
  });
});
