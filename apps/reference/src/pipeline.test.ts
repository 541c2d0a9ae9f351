import { CELEBA_ATTRIBUTE_NAMES } from "@celeba/data";
import { describe, expect, it } from "vitest";
import { isRealCelebA } from "./pipeline";

describe("isRealCelebA", () => {
  const names = [...CELEBA_ATTRIBUTE_NAMES];
  it("is true only for all 202,599 images with CelebA's names in order", () => {
    expect(isRealCelebA({ size: 202_599, attributeNames: names })).toBe(true);
    expect(isRealCelebA({ size: 3_000, attributeNames: names })).toBe(false);
    expect(isRealCelebA({ size: 202_599, attributeNames: [...names].reverse() })).toBe(false);
    expect(isRealCelebA({ size: 202_599, attributeNames: names.slice(1) })).toBe(false);
  });
});
