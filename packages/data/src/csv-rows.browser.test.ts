import { describe, expect, it } from "vitest";
import { readCsvRows } from "./csv-rows.browser";
import { AnnotationError } from "./errors";

// The browser build's stand-in for the CSV reader: it names the file and the text layout to use.
describe("readCsvRows in the browser build", () => {
  it("rejects with an AnnotationError that names the file and the .txt alternative", async () => {
    const error = await readCsvRows("image_id,A\nx.jpg,1\n", "list_attr_celeba.csv", "").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnnotationError);
    expect((error as AnnotationError).message).toMatch(
      /^list_attr_celeba\.csv:1: the CSV annotation files need Node .*list_attr_celeba\.txt, list_eval_partition\.txt\)$/,
    );
  });
});
