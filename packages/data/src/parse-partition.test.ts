import { describe, expect, it } from "vitest";
import { AnnotationError } from "./errors";
import { parsePartition, parsePartitionCsv } from "./parse-partition";

describe("parsePartition", () => {
  it("reads id/partition lines with any spacing", () => {
    const map = parsePartition(
      "000001.jpg 0\n000002.jpg  1\r\n000003.jpg\t2\n\n",
      "list_eval_partition.txt",
    );
    expect([...map]).toEqual([
      ["000001.jpg", 0],
      ["000002.jpg", 1],
      ["000003.jpg", 2],
    ]);
  });

  it("names file and line for a bad partition, a wrong field count and a duplicate", () => {
    expect(() => parsePartition("a.jpg 0\nb.jpg 3\n", "p.txt")).toThrow(
      /^p\.txt:2: partition "3" is not 0, 1 or 2/,
    );
    expect(() => parsePartition("a.jpg 0 1\n", "p.txt")).toThrow(/^p\.txt:1: expected 2 fields/);
    const e = (() => {
      try {
        parsePartition("a.jpg 0\na.jpg 1\n", "p.txt");
      } catch (error) {
        return error as AnnotationError;
      }
    })();
    expect(e).toBeInstanceOf(AnnotationError);
    expect(e?.line).toBe(2);
  });
});

describe("parsePartitionCsv", () => {
  it("reads the Kaggle layout", async () => {
    const map = await parsePartitionCsv(
      "image_id,partition\n000001.jpg,0\n000002.jpg,2\n",
      "list_eval_partition.csv",
    );
    expect(map.get("000002.jpg")).toBe(2);
  });

  it("rejects a missing header and bad rows with line numbers", async () => {
    await expect(parsePartitionCsv("000001.jpg,0\n", "p.csv")).rejects.toThrow(
      /p\.csv:1: expected the header/,
    );
    await expect(parsePartitionCsv("image_id,partition\na.jpg,x\n", "p.csv")).rejects.toThrow(
      /p\.csv:2: partition "x"/,
    );
  });
});
