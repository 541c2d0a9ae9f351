import { describe, expect, it } from "vitest";
import { caseLabel, casesOf, readBytes, sourceImage } from "../test/fixtures";
import { centerCrop, crop, roundHalfEven } from "./crop";
import { AugmentError, CropOutOfBoundsError, InvalidOptionError } from "./errors";

describe("crop vs PIL Image.crop", () => {
  for (const c of casesOf("crop")) {
    it(caseLabel(c), () => {
      const p = c.params as { left: number; top: number; width: number; height: number };
      const out = crop(sourceImage(c.source), p);
      expect([out.width, out.height]).toEqual([c.width, c.height]);
      expect(out.data).toEqual(readBytes(c.file as string));
    });
  }
});

describe("centerCrop vs torchvision CenterCrop", () => {
  for (const c of casesOf("centerCrop")) {
    it(caseLabel(c), () => {
      const out = centerCrop(sourceImage(c.source), { width: c.width, height: c.height });
      expect(out.data).toEqual(readBytes(c.file as string));
    });
  }
  it("rounds halves to even like Python's round", () => {
    expect([0.5, 1.5, 2.5, 3.5, 2, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 2, 3]);
  });
});

describe("crop errors", () => {
  const img = sourceImage("noise37x29");
  it("names the box and the image size when the box sticks out", () => {
    const bad = () => crop(img, { left: 30, top: 0, width: 10, height: 5 });
    expect(bad).toThrow(CropOutOfBoundsError);
    expect(bad).toThrow(/left=30, top=0, width=10, height=5 \(right=40, bottom=5\).*37x29/);
    try {
      bad();
    } catch (e) {
      expect(e).toBeInstanceOf(AugmentError);
      expect((e as CropOutOfBoundsError).imageWidth).toBe(37);
    }
    expect(() => crop(img, { left: -1, top: 0, width: 5, height: 5 })).toThrow(
      CropOutOfBoundsError,
    );
    expect(() => centerCrop(img, { width: 38, height: 10 })).toThrow(CropOutOfBoundsError);
  });
  it("rejects non-positive or fractional sizes", () => {
    expect(() => crop(img, { left: 0, top: 0, width: 0, height: 5 })).toThrow(InvalidOptionError);
    expect(() => crop(img, { left: 0, top: 0, width: 0, height: 5 })).toThrow(/box\.width: got 0/);
    expect(() => crop(img, { left: 0.5, top: 0, width: 3, height: 5 })).toThrow(
      /box\.left: got 0\.5/,
    );
  });
});
