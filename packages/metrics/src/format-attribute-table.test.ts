import { describe, expect, it } from "vitest";
import { golden } from "../test/golden";
import { attributeReport } from "./attribute-report";
import { formatAttributeTable } from "./format-attribute-table";

describe("formatAttributeTable", () => {
  // Smiling: predictions [+1, +1, -1, -1] vs [+1, -1, +1, -1]; Bald: all -1, never predicted.
  const report = attributeReport(
    [
      [0.9, -1],
      [0, -1],
      [-0.1, -1],
      [-2, -1],
    ],
    [
      [1, -1],
      [-1, -1],
      [1, -1],
      [-1, -1],
    ],
    ["Smiling", "Bald"],
  );

  it("renders a markdown table with a mean row", () => {
    expect(formatAttributeTable(report)).toBe(
      [
        "| Attribute | Accuracy (%) | Baseline (%) | Precision (%) | Recall (%) | F1 (%) | Balanced acc. (%) | Positive rate (%) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| Smiling | 50.00 | 50.00 | 50.00 | 50.00 | 50.00 | 50.00 | 50.00 |",
        "| Bald | 100.00 | 100.00 | 0.00 | 0.00 | 0.00 | 100.00 | 0.00 |",
        "| **Mean** | 75.00 | 75.00 | 25.00 | 25.00 | 25.00 | 75.00 | 25.00 |",
        "",
      ].join("\n"),
    );
  });

  it("adds a Published column, '—' where missing, mean over given values, with digits", () => {
    const table = formatAttributeTable(report, { published: { Bald: 0.9876 }, digits: 1 });
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toMatch(/\| Positive rate \(%\) \| Published \(%\) \|$/);
    expect(lines[1]).toBe("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    expect(lines[2]).toBe("| Smiling | 50.0 | 50.0 | 50.0 | 50.0 | 50.0 | 50.0 | 50.0 | — |");
    expect(lines[3]).toBe("| Bald | 100.0 | 100.0 | 0.0 | 0.0 | 0.0 | 100.0 | 0.0 | 98.8 |");
    expect(lines[4]).toBe("| **Mean** | 75.0 | 75.0 | 25.0 | 25.0 | 25.0 | 75.0 | 25.0 | 98.8 |");
  });

  it("shows '—' as the published mean when no attribute has a value", () => {
    const lines = formatAttributeTable(report, { published: {}, digits: 0 }).trimEnd().split("\n");
    expect(lines[4]).toBe("| **Mean** | 75 | 75 | 25 | 25 | 25 | 75 | 25 | — |");
  });

  it("escapes pipes in names and has one row per attribute of the golden case", () => {
    const c = golden.cases[0]!;
    const lines = formatAttributeTable(attributeReport(c.scores, c.labels, c.names))
      .trimEnd()
      .split("\n");
    expect(lines).toHaveLength(c.names.length + 3);
    expect(lines.some((l) => l.startsWith("| Tie\\|Half | "))).toBe(true);
    for (const l of lines) expect(l.split(/(?<!\\)\|/).length).toBe(10);
  });
});
