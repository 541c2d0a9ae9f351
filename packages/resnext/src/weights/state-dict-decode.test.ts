import { describe, expect, it } from "vitest";
import { numel, stateTensorToFloat32 } from "./state-dict";
import {
  decodeElements,
  float16BitsToNumber,
  gatherStrided,
  isContiguous,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  viewExtent,
} from "./state-dict-decode";

describe("float16 / bfloat16", () => {
  it("decodes known half values", () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });

  it("encode(decode(bits)) is the identity for all 63488 non-NaN half bit patterns", () => {
    let mismatches = 0;
    for (let h = 0; h < 0x10000; h++) {
      const v = float16BitsToNumber(h);
      if (Number.isNaN(v)) continue;
      if (numberToFloat16Bits(v) !== h) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it("rounds to nearest even, overflows to Inf, underflows to signed zero", () => {
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToFloat16Bits(65520)).toBe(0x7c00);
    expect(numberToFloat16Bits(2 ** -26)).toBe(0);
    expect(numberToFloat16Bits(-(2 ** -26))).toBe(0x8000);
    expect(numberToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // subnormal tie → even
    expect(numberToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
  });

  it("bfloat16 rounds to nearest even and keeps NaN a NaN", () => {
    expect(numberToBfloat16Bits(1)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    const nan = numberToBfloat16Bits(Number.NaN);
    expect(nan & 0x7f80).toBe(0x7f80);
    expect(nan & 0x7f).not.toBe(0);
  });
});

describe("decodeElements", () => {
  it("honours the byte order", () => {
    const be = new Uint8Array([0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0]);
    expect(decodeElements(be, 0, 2, "float32", false)).toEqual(new Float32Array([1, -2]));
    expect(decodeElements(be.slice().reverse(), 0, 2, "float32", true)).toEqual(
      new Float32Array([-2, 1]),
    );
  });

  it("copies at an unaligned offset and normalises bools", () => {
    const b = new Uint8Array([9, 0, 0, 0x80, 0x3f]);
    expect(decodeElements(b, 1, 1, "float32", true)).toEqual(new Float32Array([1]));
    expect(decodeElements(new Uint8Array([0, 2, 255]), 0, 3, "bool", true)).toEqual(
      new Uint8Array([0, 1, 1]),
    );
  });
});

describe("strided views", () => {
  it("gathers a transposed, sliced view like PyTorch", () => {
    // base = arange(12).view(3, 4); base[:, 1:3].t() → shape [2, 3], stride [1, 4], offset 1
    const src = new Float32Array(Array.from({ length: 12 }, (_, i) => i));
    const view = { storageOffset: 1, shape: [2, 3], stride: [1, 4] };
    expect(isContiguous(view.shape, view.stride)).toBe(false);
    expect(viewExtent(view)).toEqual({ first: 1, last: 10 });
    expect(Array.from(gatherStrided(src, 0, view, "float32") as Float32Array)).toEqual([
      1, 5, 9, 2, 6, 10,
    ]);
  });

  it("treats size-1 dimensions' strides as irrelevant for contiguity", () => {
    expect(isContiguous([3, 1, 4], [4, 99, 1])).toBe(true);
    expect(isContiguous([2, 3], [1, 2])).toBe(false);
  });

  it("rejects negative strides and mismatched ranks", () => {
    expect(() => viewExtent({ storageOffset: 0, shape: [2], stride: [-1] })).toThrow(/bad stride/);
    expect(() => viewExtent({ storageOffset: 0, shape: [2], stride: [] })).toThrow(
      /different lengths/,
    );
    expect(viewExtent({ storageOffset: 5, shape: [0, 3], stride: [3, 1] })).toBeUndefined();
  });
});

describe("state dict helpers", () => {
  it("numel and stateTensorToFloat32", () => {
    expect(numel([])).toBe(1);
    expect(numel([2, 0, 3])).toBe(0);
    const f = new Float32Array([1, 2]);
    expect(stateTensorToFloat32({ dtype: "float32", shape: [2], data: f })).toBe(f);
    expect(
      stateTensorToFloat32({ dtype: "int64", shape: [2], data: new BigInt64Array([3n, -4n]) }),
    ).toEqual(new Float32Array([3, -4]));
    expect(
      stateTensorToFloat32({ dtype: "uint8", shape: [1], data: new Uint8Array([200]) }),
    ).toEqual(new Float32Array([200]));
  });
});
