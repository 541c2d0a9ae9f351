import { describe, expect, it } from "vitest";
import { inputKinds } from "../test/golden";
import { toMatrix } from "./matrix";

describe("toMatrix", () => {
  const rows = [
    [0.5, -1, 0],
    [2, 0.25, -0.5],
  ];

  it("reads every input kind as the same row-major matrix", () => {
    for (const [kind, input] of inputKinds(rows)) {
      const m = toMatrix("scores", input);
      expect([m.rows, m.cols], kind).toEqual([2, 3]);
      expect(Array.from(m.data), kind).toEqual(rows.flat());
    }
  });

  it("reads 1-D inputs as one attribute column [n, 1]", () => {
    for (const input of [
      [1, -1, 1],
      new Int8Array([1, -1, 1]),
      { data: [1, -1, 1], shape: [3] },
      { arraySync: () => [1, -1, 1] },
      { shape: [3], dataSync: () => new Float32Array([1, -1, 1]) },
    ]) {
      const m = toMatrix("labels", input);
      expect([m.rows, m.cols]).toEqual([3, 1]);
      expect(Array.from(m.data)).toEqual([1, -1, 1]);
    }
  });

  it("prefers dataSync() over arraySync() and never calls the async data()", () => {
    let arrayCalls = 0;
    const tensor = {
      shape: [1, 2],
      data: () => Promise.reject(new Error("must not be called")),
      dataSync: () => new Float32Array([1, 2]),
      arraySync: () => {
        arrayCalls++;
        return [[1, 2]];
      },
    };
    expect(Array.from(toMatrix("scores", tensor).data)).toEqual([1, 2]);
    expect(arrayCalls).toBe(0);
  });

  it("does not copy flat typed arrays", () => {
    const data = new Float32Array([1, 2, 3, 4]);
    expect(toMatrix("scores", { data, shape: [2, 2] }).data).toBe(data);
  });
});
