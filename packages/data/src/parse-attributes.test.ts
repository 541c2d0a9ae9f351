import { readFileSync } from "node:fs";
import { join } from "node:path";
import { thrownBy } from "@celeba/internal/testing";
import { describe, expect, it } from "vitest";
import { CELEBA_ATTRIBUTE_NAMES } from "./celeba-attributes";
import { AnnotationError } from "./errors";
import { parseAttributes, parseAttributesCsv } from "./parse-attributes";

const head = readFileSync(join(__dirname, "..", "fixtures", "list_attr_celeba.head.txt"), "utf8");

describe("parseAttributes", () => {
  it("reads the real file's head: names from the header, irregular spacing, trailing space", () => {
    // The head fixture's count line says 202599, so drop it: only the rows are checked here.
    const table = parseAttributes(head.split("\n").slice(1).join("\n"), "list_attr_celeba.txt");
    expect(table.attributeNames).toEqual([...CELEBA_ATTRIBUTE_NAMES]);
    expect(table.rows.map((r) => r.id)).toEqual(["000001.jpg", "000002.jpg", "000003.jpg"]);
    // 000001.jpg is Arched_Eyebrows, Attractive, Brown_Hair, Heavy_Makeup, High_Cheekbones, Mouth_Slightly_Open,
    // No_Beard, Pointy_Nose, Smiling, Straight_Hair, Wearing_Earrings, Wearing_Lipstick, Young.
    const positives = CELEBA_ATTRIBUTE_NAMES.filter((_, j) => table.rows[0]?.labels[j] === 1);
    expect(positives).toEqual([
      "Arched_Eyebrows",
      "Attractive",
      "Brown_Hair",
      "Heavy_Makeup",
      "High_Cheekbones",
      "Mouth_Slightly_Open",
      "No_Beard",
      "Pointy_Nose",
      "Smiling",
      "Straight_Hair",
      "Wearing_Earrings",
      "Wearing_Lipstick",
      "Young",
    ]);
    expect(table.rows[2]?.labels[20]).toBe(1); // 000003.jpg is Male
  });

  it("takes the number of attributes from the header, accepts tabs, CRLF and blank lines", () => {
    const text = "2\r\nA  B\tC \r\n\r\nx.jpg  1 -1\t 1\r\ny.jpg -1 -1 -1  \r\n";
    const table = parseAttributes(text, "f.txt");
    expect(table.attributeNames).toEqual(["A", "B", "C"]);
    expect(Array.from(table.rows[0]?.labels ?? [])).toEqual([1, -1, 1]);
    expect(Array.from(table.rows[1]?.labels ?? [])).toEqual([-1, -1, -1]);
  });

  it("accepts a file without the count line", () => {
    const table = parseAttributes("A B\na.jpg 1 -1\n", "f.txt");
    expect(table.rows).toHaveLength(1);
  });

  it("names the file and line of a row with the wrong number of values", () => {
    const e = thrownBy(AnnotationError, () =>
      parseAttributes("2\nA B\na.jpg 1 -1\nb.jpg 1\n", "list_attr_celeba.txt"),
    );
    expect(e.file).toBe("list_attr_celeba.txt");
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^list_attr_celeba\.txt:4: expected 3 fields .* found 2/);
    expect(e.message).toMatch(/fix or remove the line/);
  });

  it("rejects a value other than 1/-1 with its column and attribute", () => {
    const e = thrownBy(AnnotationError, () =>
      parseAttributes("2\nA B\na.jpg 1 -1\nb.jpg 0 1\n", "f.txt"),
    );
    expect(e.line).toBe(4);
    expect(e.message).toContain('value "0" for attribute A (column 2)');
  });

  it("rejects a duplicate id, pointing at both lines", () => {
    const e = thrownBy(AnnotationError, () =>
      parseAttributes("3\nA\na.jpg 1\nb.jpg 1\na.jpg -1\n", "f.txt"),
    );
    expect(e.line).toBe(5);
    expect(e.message).toContain("first listed on line 3");
  });

  it("rejects a count line that disagrees with the rows (truncated download)", () => {
    const e = thrownBy(AnnotationError, () => parseAttributes("5\nA\na.jpg 1\n", "f.txt"));
    expect(e.line).toBe(1);
    expect(e.message).toContain("says 5 images but the file has 1");
  });

  it("rejects a missing header", () => {
    expect(() => parseAttributes("1\na.jpg 1 -1\n", "f.txt")).toThrow(/header/);
    expect(() => parseAttributes("", "f.txt")).toThrow(AnnotationError);
  });
});

describe("parseAttributesCsv", () => {
  it("reads the Kaggle layout with names from the header", async () => {
    const text = "image_id,A,B\n000001.jpg,-1,1\n000002.jpg,1,1\n";
    const table = await parseAttributesCsv(text, "list_attr_celeba.csv");
    expect(table.attributeNames).toEqual(["A", "B"]);
    expect(table.rows.map((r) => [r.id, Array.from(r.labels)])).toEqual([
      ["000001.jpg", [-1, 1]],
      ["000002.jpg", [1, 1]],
    ]);
  });

  it("reports bad rows with their line numbers, counting blank lines", async () => {
    await expect(
      parseAttributesCsv("image_id,A,B\na.jpg,1,1\n\nb.jpg,1\n", "k.csv"),
    ).rejects.toThrow(/^k\.csv:4: expected 3 columns/);
    await expect(parseAttributesCsv("image_id,A\na.jpg,2\n", "k.csv")).rejects.toThrow(
      /k\.csv:2: value "2"/,
    );
    await expect(parseAttributesCsv("image_id,A\na.jpg,1\na.jpg,1\n", "k.csv")).rejects.toThrow(
      /k\.csv:3: duplicate/,
    );
  });
});
