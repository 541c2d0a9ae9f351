import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { StateDict } from "../src/weights/state-dict";

/** Folder of the committed weight fixtures (made by scripts/make-weight-fixtures.py). */
export const WEIGHTS_FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "weights",
);

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

/** expected.json: every fixture tensor's dtype, shape and values as PyTorch printed them. */
export const EXPECTED = JSON.parse(
  readFileSync(join(WEIGHTS_FIXTURES, "expected.json"), "utf8"),
) as {
  sd: Record<string, ExpectedTensor>;
  checkpoint: Record<string, ExpectedTensor>;
  pwned_path: string;
};

/** Assert a state dict equals PyTorch's values exactly: same keys and order, dtypes, shapes, bits. */
export function expectMatchesTorch(sd: StateDict, expected: Record<string, ExpectedTensor>): void {
  expect([...sd.keys()]).toEqual(Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    const t = sd.get(name)!;
    expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({
      name,
      dtype: want.dtype,
      shape: want.shape,
    });
    const got = Array.from(t.data as ArrayLike<number | bigint>, (v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    expect({ name, values: got }).toEqual({ name, values: want.values });
  }
}
