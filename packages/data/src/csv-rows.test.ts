import { describe, expect, it } from "vitest";
import { readCsvRows } from "./csv-rows";
import { AnnotationError } from "./errors";

describe("readCsvRows", () => {
  it("drops a leading byte-order mark and blank lines, keeping editor line numbers", async () => {
    const rows = await readCsvRows("\ufeffimage_id,partition\n\n 1.jpg , 0\n", "p.csv", "fix it");
    expect(rows).toEqual([
      { line: 1, fields: ["image_id", "partition"] },
      { line: 3, fields: ["1.jpg", "0"] },
    ]);
  });

  it.each(["", "\ufeff", "\n\n"])(
    "refuses a file with no rows (%j), naming it and line 1",
    async (text) => {
      const error = await readCsvRows(text, "p.csv", "fix it").catch((e: unknown) => e);
      expect(AnnotationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe("p.csv:1: the file is empty. fix it");
    },
  );
});
