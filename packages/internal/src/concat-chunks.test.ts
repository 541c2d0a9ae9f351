import { describe, expect, it } from "vitest";
import { concatChunks } from "./concat-chunks";

describe("concatChunks", () => {
  it("joins the chunks in order into one new array of the given type", () => {
    const out = concatChunks(Float32Array, [new Float32Array([1]), new Float32Array([2, 3])], 3);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    expect(Array.from(concatChunks(Uint8Array, [], 0))).toEqual([]);
  });
});
