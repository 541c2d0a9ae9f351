import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CELEBA_ATTRIBUTE_NAMES } from "./celeba-attributes";
import { officialSplit, paperSplit } from "./dataset-splits";
import { AnnotationError, DataError, MissingPathError } from "./errors";
import { loadCelebA } from "./load-celeba";
import { parseAttributes, parseAttributesCsv } from "./parse-attributes";
import { parsePartitionCsv } from "./parse-partition";
import { makeSyntheticCelebA } from "./synthetic-celeba";

const names = [...CELEBA_ATTRIBUTE_NAMES];
const row = (i: number) => [
  `${String(i).padStart(6, "0")}.jpg`,
  ...names.map((_, j) => ((i + j) % 3 ? "1" : "-1")),
];

describe("CSV parse errors", () => {
  it("name the file and the line of an unterminated quote, quoting only that line", async () => {
    const lines = [["image_id", ...names].join(",")];
    for (let i = 1; i <= 200; i++) lines.push(row(i).join(","));
    lines[8] = lines[8]!.replace(",1,", ',"1,'); // line 9 opens a quote that never closes
    const error = await parseAttributesCsv(`${lines.join("\n")}\n`, "list_attr_celeba.csv").catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AnnotationError);
    expect(error.file).toBe("list_attr_celeba.csv");
    expect(error.line).toBe(9);
    expect(error.message).toMatch(/^list_attr_celeba\.csv:9: a quote \("\) opens a field/);
    expect(error.message).toContain("000008.jpg");
    expect(error.message).not.toContain("000009.jpg"); // the next line is not quoted
    expect(error.message.length).toBeLessThan(600); // fast-csv's own message held the 24 KB rest
  });

  it("cut a very long bad line to 120 characters", async () => {
    const text = `image_id,partition\n000001.jpg,0\n"${"x".repeat(10_000)}\n`;
    const error = await parsePartitionCsv(text, "list_eval_partition.csv").catch((e) => e);
    expect(error).toBeInstanceOf(AnnotationError);
    expect(error.line).toBe(3);
    expect(error.message.length).toBeLessThan(500);
  });
});

describe("a header that names fewer attributes than the data has", () => {
  const header39 = names.slice(0, 39);

  it("is blamed on the header line of list_attr_celeba.txt", () => {
    const text = ["3", header39.join(" "), ...[1, 2, 3].map((i) => row(i).join(" "))].join("\n");
    const error = (() => {
      try {
        parseAttributes(text, "list_attr_celeba.txt");
      } catch (e) {
        return e as AnnotationError;
      }
    })();
    expect(error).toBeInstanceOf(AnnotationError);
    expect(error!.line).toBe(2);
    expect(error!.message).toMatch(
      /^list_attr_celeba\.txt:2: the header names 39 attributes but the data lines \(from line 3\) have 40 values each/,
    );
  });

  it("is blamed on the header row of list_attr_celeba.csv", async () => {
    const text = [["image_id", ...header39].join(","), ...[1, 2].map((i) => row(i).join(","))].join(
      "\n",
    );
    const error = await parseAttributesCsv(text, "list_attr_celeba.csv").catch((e) => e);
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/the header names 39 attributes/);
  });

  it("still blames a single bad data line on that line", () => {
    const lines = ["2", names.join(" "), row(1).join(" "), row(2).slice(0, 40).join(" ")];
    expect(() => parseAttributes(lines.join("\n"), "a.txt")).toThrow(
      /^a\.txt:4: expected 41 fields/,
    );
    const first = ["2", names.join(" "), row(1).slice(0, 40).join(" "), row(2).join(" ")];
    expect(() => parseAttributes(first.join("\n"), "a.txt")).toThrow(
      /^a\.txt:3: expected 41 fields/,
    );
  });
});

describe("loadCelebA with partition: null", () => {
  const dir = mkdtempSync(join(tmpdir(), "celeba-nopart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("needs no partition file, and officialSplit then refuses", async () => {
    await makeSyntheticCelebA(dir, { count: 12, seed: 1 });
    rmSync(join(dir, "list_eval_partition.txt"));
    await expect(loadCelebA({ root: dir, onWarning: () => {} })).rejects.toThrow(MissingPathError);
    const dataset = await loadCelebA({ root: dir, partition: null, onWarning: () => {} });
    try {
      expect(dataset.size).toBe(12);
      expect(dataset.items.every((item) => item.partition === null)).toBe(true);
      const split = paperSplit(dataset.items, 0);
      expect(split.train.length + split.val.length + split.test.length).toBe(12);
      expect(() => officialSplit(dataset)).toThrow(DataError);
      expect(() => officialSplit(dataset)).toThrow(/loaded without a partition file/);
    } finally {
      await dataset.close();
    }
  });
});
