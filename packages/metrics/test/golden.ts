import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { MatrixInput } from "../src/index";

/** Tolerance against the numpy values in fixtures/golden.json. */
export const TOLERANCE = 1e-12;

export interface GoldenThreshold {
  threshold: number;
  accuracy: number;
  perAttributeAccuracy: number[];
  report: Record<string, unknown> & { attributes: Record<string, unknown>[] };
}

export interface GoldenCase {
  name: string;
  shape: [number, number];
  names: string[];
  scores: number[][];
  labels: number[][];
  majorityBaseline: { accuracy: number[]; majorityLabel: number[]; mean: number };
  thresholds: GoldenThreshold[];
}

/** The fixture written by scripts/make-fixtures.py (numpy). */
export const golden: { cases: GoldenCase[] } = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "golden.json"), "utf8"),
);

/** Asserts numbers match within {@link TOLERANCE}, recursing through arrays and objects. */
export function expectClose(actual: unknown, expected: unknown, path = "value"): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    expect(
      Math.abs((actual as number) - expected),
      `${path}: ${actual} vs ${expected}`,
    ).toBeLessThanOrEqual(TOLERANCE);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => {
      expectClose((actual as unknown[])[i], e, `${path}[${i}]`);
    });
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(
      Object.keys(expected).sort(),
    );
    for (const [k, e] of Object.entries(expected)) {
      expectClose((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}

/** A tfjs-Tensor look-alike: an async `data()` method besides the sync accessors. */
class FakeTensor {
  readonly shape: [number, number];
  constructor(private readonly rows: number[][]) {
    this.shape = [rows.length, rows[0]!.length];
  }
  data(): Promise<Float32Array> {
    return Promise.reject(new Error("data() is async and must not be called"));
  }
  dataSync(): Float32Array {
    return Float32Array.from(this.rows.flat());
  }
  arraySync(): number[][] {
    return this.rows;
  }
}

/**
 * The same matrix in every supported input kind. The fixture's scores are float32
 * values, so the Float32Array kinds hold them exactly.
 */
export function inputKinds(rows: number[][]): [string, MatrixInput][] {
  const n = rows.length;
  const m = rows[0]!.length;
  const flat = rows.flat();
  const isLabel = flat.every((v) => v === 1 || v === -1);
  const kinds: [string, MatrixInput][] = [
    ["number[][]", rows],
    ["Float64Array rows", rows.map((r) => Float64Array.from(r))],
    ["{ data: number[], shape }", { data: flat, shape: [n, m] }],
    ["{ data: Float64Array, shape }", { data: Float64Array.from(flat), shape: [n, m] }],
    ["{ data: Float32Array, shape }", { data: Float32Array.from(flat), shape: [n, m] }],
    ["dataSync() + shape", { shape: [n, m], dataSync: () => Float32Array.from(flat) }],
    ["arraySync()", { arraySync: () => rows.map((r) => [...r]) }],
    ["tensor-like with data() method, dataSync() and arraySync()", new FakeTensor(rows)],
  ];
  if (isLabel) {
    kinds.push(["{ data: Int8Array, shape }", { data: Int8Array.from(flat), shape: [n, m] }]);
    kinds.push(["{ data: Int32Array, shape }", { data: Int32Array.from(flat), shape: [n, m] }]);
  }
  if (m === 1) {
    kinds.push(["1-D number[]", flat]);
    kinds.push(["1-D Float32Array", Float32Array.from(flat)]);
    kinds.push(["{ data, shape: [n] }", { data: flat, shape: [n] }]);
    kinds.push(["rank-1 arraySync()", { arraySync: () => flat }]);
  }
  return kinds;
}
