import { afterAll, describe, expect, it } from "vitest";
import { caseLabel, casesOf, diffStats, readBytes, sha256, sourceImage } from "../test/fixtures";
import { AugmentError, InvalidOptionError } from "./errors";
import type { ResizeFilter } from "./resample";
import { resampleImplementation, setResampleImplementation } from "./resample-wasm";
import { resize } from "./resize";

// Every Pillow case runs through both implementations of the separable passes.
describe.each(["wasm", "typescript"] as const)("resize vs Pillow 9.4 Image.resize (%s)", (impl) => {
  afterAll(() => setResampleImplementation("wasm"));
  it(`runs the ${impl} implementation`, () => {
    setResampleImplementation(impl);
    expect(resampleImplementation()).toBe(impl);
  });
  for (const c of casesOf("resize")) {
    it(caseLabel(c), () => {
      setResampleImplementation(impl);
      const src = sourceImage(c.source);
      const filter = c.params.filter === "default" ? undefined : (c.params.filter as ResizeFilter);
      const out = resize(src, { width: c.width, height: c.height, filter });
      expect([out.width, out.height, out.channels]).toEqual([c.width, c.height, c.channels]);
      if (c.file) {
        const stats = diffStats(out.data, readBytes(c.file));
        // The issue requires MAD <= 1.0; the port of Resample.c is expected to be bit-exact.
        expect(stats.mad).toBeLessThanOrEqual(1.0);
        expect(stats).toEqual({ mad: 0, max: 0, mismatched: 0 });
      } else {
        expect(sha256(out.data)).toBe(c.sha256);
      }
    });
  }
});

describe("resize validation", () => {
  const img = sourceImage("noise37x29");
  it("rejects non-positive and fractional sizes, naming the value", () => {
    expect(() => resize(img, { width: 0, height: 10 })).toThrow(InvalidOptionError);
    expect(() => resize(img, { width: 0, height: 10 })).toThrow(/width: got 0/);
    expect(() => resize(img, { width: 10, height: 2.5 })).toThrow(/height: got 2.5/);
  });
  it("rejects unknown filters, listing the valid ones", () => {
    expect(() => resize(img, { width: 10, height: 10, filter: "cubic" as ResizeFilter })).toThrow(
      /filter: got "cubic"; expected one of "nearest", "box", "bilinear", "hamming", "bicubic", "lanczos"/,
    );
  });
  it("rejects malformed images", () => {
    expect(() => resize({ ...img, data: new Uint8Array(3) }, { width: 5, height: 5 })).toThrow(
      AugmentError,
    );
  });
  it("returns a copy when the size is unchanged", () => {
    const out = resize(img, { width: img.width, height: img.height });
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
  });
});
