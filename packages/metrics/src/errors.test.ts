import { describe, expect, it } from "vitest";
import { attributeReport } from "./attribute-report";
import {
  EmptyInputError,
  InvalidLabelError,
  InvalidOptionError,
  InvalidShapeError,
  MetricsError,
  NamesLengthError,
  NonFiniteScoreError,
  ShapeMismatchError,
} from "./errors";
import { formatAttributeTable } from "./format-attribute-table";
import { getAccuracy } from "./get-accuracy";
import { majorityBaseline } from "./majority-baseline";
import type { MatrixInput } from "./matrix";
import { perAttributeAccuracy } from "./per-attribute-accuracy";

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("errors", () => {
  it("ShapeMismatchError gives both shapes and how to fix", () => {
    const e = caught(() =>
      getAccuracy(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [1, -1],
          [1, -1],
        ],
      ),
    );
    expect(e).toBeInstanceOf(ShapeMismatchError);
    expect(e).toBeInstanceOf(MetricsError);
    expect(e.name).toBe("ShapeMismatchError");
    expect(e.message).toBe(
      "scores have shape [2, 3] but labels have shape [2, 2]; both must be [samples, attributes] " +
        "with the same size. Pass the labels of exactly the samples that were scored, in the same " +
        "order (a 1-D input is read as one attribute column, shape [n, 1]; wrap a single sample's " +
        "row as [row] to get [1, m]).",
    );
    expect((e as ShapeMismatchError).scoresShape).toEqual([2, 3]);
    expect((e as ShapeMismatchError).labelsShape).toEqual([2, 2]);
  });

  it("ShapeMismatchError catches a 1-D sample row against a [1, m] label row", () => {
    const e = caught(() => perAttributeAccuracy([0.1, 0.2], [[1, 1]])) as ShapeMismatchError;
    expect(e).toBeInstanceOf(ShapeMismatchError);
    expect(e.message).toContain("scores have shape [2, 1] but labels have shape [1, 2]");
  });

  it("InvalidLabelError names the first bad cell, its value, and the 0/1 conversion", () => {
    const e = caught(() =>
      getAccuracy(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [1, -1],
          [0, 1],
        ],
      ),
    ) as InvalidLabelError;
    expect(e).toBeInstanceOf(InvalidLabelError);
    expect(e.message).toBe(
      "labels[1][0] is 0, but labels must be CelebA's -1 or +1 (as in list_attr_celeba.txt). " +
        "If your labels are 0/1, convert them with `labels.map((row) => row.map((v) => 2 * v - 1))`.",
    );
    expect([e.row, e.column, e.value]).toEqual([1, 0, 0]);
  });

  it("InvalidLabelError tells a string from a number, and reports NaN labels", () => {
    const s = caught(() => majorityBaseline([["1" as unknown as number]])) as InvalidLabelError;
    expect(s.message).toMatch(/^labels\[0\]\[0\] is "1", but labels must be CelebA's -1 or \+1/);
    const n = caught(() =>
      majorityBaseline({ data: new Float32Array([1, Number.NaN]), shape: [1, 2] }),
    ) as InvalidLabelError;
    expect([n.row, n.column]).toEqual([0, 1]);
    expect(n.message).toMatch(/^labels\[0\]\[1\] is NaN/);
    const b = caught(() => majorityBaseline([[true as unknown as number]]));
    expect(b.message).toMatch(/^labels\[0\]\[0\] is true \(boolean\)/);
  });

  it("EmptyInputError for [], [[]], and a zero-size shape", () => {
    const e = caught(() => getAccuracy([], [])) as EmptyInputError;
    expect(e).toBeInstanceOf(EmptyInputError);
    expect(e.message).toBe(
      "scores is empty (shape [0, 0]); metrics need at least one sample and one attribute. " +
        "Check that the data split or batch you are evaluating is not empty.",
    );
    expect(e.input).toBe("scores");
    const rows = caught(() => getAccuracy([[1]], [[]])) as EmptyInputError;
    expect([rows.input, rows.shape]).toEqual(["labels", [1, 0]]);
    const flat = caught(() => majorityBaseline({ data: [], shape: [0, 40] })) as EmptyInputError;
    expect(flat.message).toMatch(/^labels is empty \(shape \[0, 40\]\)/);
  });

  it("NonFiniteScoreError names the cell for NaN, Infinity and non-numbers", () => {
    const e = caught(() => getAccuracy([[0.1, Number.NaN]], [[1, 1]])) as NonFiniteScoreError;
    expect(e).toBeInstanceOf(NonFiniteScoreError);
    expect(e.message).toBe(
      "scores[0][1] is NaN, but every score must be a finite number. A NaN usually means the " +
        "model diverged (lower the learning rate) or read an unnormalised or corrupt image; fix " +
        "the model output rather than filtering the cell out.",
    );
    expect([e.row, e.column]).toEqual([0, 1]);
    const inf = caught(() =>
      getAccuracy({ data: new Float32Array([0, 0, -Infinity, 0]), shape: [2, 2] }, [
        [1, 1],
        [1, 1],
      ]),
    ) as NonFiniteScoreError;
    expect([inf.row, inf.column, inf.value]).toEqual([1, 0, -Infinity]);
    expect(inf.message).toMatch(/^scores\[1\]\[0\] is -Infinity/);
    const str = caught(() => getAccuracy([["0.5" as unknown as number]], [[1]]));
    expect(str.message).toMatch(/^scores\[0\]\[0\] is "0.5"/);
  });

  it("checks labels before scores, and shapes before either", () => {
    expect(caught(() => getAccuracy([[Number.NaN]], [[0]]))).toBeInstanceOf(InvalidLabelError);
    expect(caught(() => getAccuracy([[Number.NaN]], [[0, 0]]))).toBeInstanceOf(ShapeMismatchError);
  });

  it("NamesLengthError gives both counts and what to pass", () => {
    const e = caught(() => attributeReport([[1, 1]], [[1, 1]], ["Bald"])) as NamesLengthError;
    expect(e).toBeInstanceOf(NamesLengthError);
    expect(e.message).toBe(
      "names has 1 entries but the scores and labels have 2 attribute columns; pass exactly 2 " +
        "names, in column order (for CelebA, the 40 names from the header line of " +
        "list_attr_celeba.txt).",
    );
    expect([e.expected, e.received]).toEqual([2, 1]);
  });

  it("InvalidShapeError for ragged rows, rank 3, bad flat length, and unknown kinds", () => {
    const cases: [MatrixInput, string][] = [
      [[[1, 2], [3]], "row 1 has 1 values but row 0 has 2 (ragged rows)"],
      [[[[1]]] as unknown as MatrixInput, "row 0 holds an array at column 0: rank above 2"],
      [
        [1, [2]] as unknown as MatrixInput,
        "element 1 is an array but element 0 is not (mixed 1-D/2-D)",
      ],
      [[[1], 2] as unknown as MatrixInput, "row 1 is not an array (rows must all be arrays)"],
      [{ data: [1, 2, 3], shape: [2, 2] }, "data has 3 values but shape [2, 2] needs 4"],
      [
        { data: [1], shape: [1, 1, 1] },
        "shape [1, 1, 1] has rank 3, only rank 1 or 2 is supported (reshape to [samples, attributes] first)",
      ],
      [{ data: [1], shape: [1.5] }, "shape [1.5] has a non-integer or negative size"],
      [{ arraySync: () => 3 }, "arraySync() returned a scalar, not a 1-D or 2-D array"],
      [
        { shape: [1], dataSync: () => 3 } as unknown as MatrixInput,
        "dataSync() did not return an array or typed array",
      ],
      [
        { foo: 1 } as unknown as MatrixInput,
        "got an object with keys {foo} and no arraySync()/dataSync()+shape",
      ],
      [42 as unknown as MatrixInput, "got number"],
      [null as unknown as MatrixInput, "got null"],
    ];
    for (const [input, reason] of cases) {
      const e = caught(() => getAccuracy(input, [[1]])) as InvalidShapeError;
      expect(e, reason).toBeInstanceOf(InvalidShapeError);
      expect(e.input).toBe("scores");
      expect(e.reason).toBe(reason);
      expect(e.message).toBe(
        `scores cannot be read as a [samples, attributes] matrix: ${reason}. Pass number[][] ` +
          "(rows of equal length), { data: Float32Array | Int8Array | number[] | ..., shape: [n, m] }, " +
          "or a tensor-like object with arraySync() or dataSync() and shape.",
      );
    }
  });

  it("InvalidOptionError for a non-finite threshold, before reading inputs", () => {
    const e = caught(() => getAccuracy([], [], { threshold: Number.NaN })) as InvalidOptionError;
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.message).toBe(
      "option threshold is NaN; it must be a finite number (default 0: score >= 0 is +1, else -1).",
    );
    expect([e.option, e.value]).toEqual(["threshold", Number.NaN]);
    expect(caught(() => getAccuracy([[1]], [[1]], { threshold: Infinity }))).toBeInstanceOf(
      InvalidOptionError,
    );
  });

  it("InvalidOptionError for bad formatAttributeTable options", () => {
    const report = attributeReport([[0.5, -0.5]], [[1, -1]], ["Bald", "Male"]);
    const digits = caught(() => formatAttributeTable(report, { digits: 1.5 }));
    expect(digits.message).toBe(
      "option digits is 1.5; it must be an integer from 0 to 10 (default 2).",
    );
    const unknown = caught(() => formatAttributeTable(report, { published: { Blad: 0.9 } }));
    expect(unknown.message).toBe(
      'option published["Blad"] is 0.9; no attribute of the report has that name; valid names: Bald, Male.',
    );
    const pct = caught(() => formatAttributeTable(report, { published: { Bald: 98.9 } }));
    expect(pct).toBeInstanceOf(InvalidOptionError);
    expect(pct.message).toBe(
      'option published["Bald"] is 98.9; published accuracies are fractions in [0, 1] like the ' +
        "report; divide percentages by 100.",
    );
  });
});
