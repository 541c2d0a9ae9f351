import { AnnotationError } from "./errors";

// Browser stand-in for `csv-rows.ts`: its CSV parser (fast-csv) is built on Node streams.

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** A CSV file's rows: the header first, then at least zero more. */
export type CsvRows = [header: CsvRow, ...rows: CsvRow[]];

/** Not available in browsers: rejects, naming the file and the text layout to use instead. */
export function readCsvRows(_text: string, fileName: string, _fix: string): Promise<CsvRows> {
  return Promise.reject(
    new AnnotationError({
      file: fileName,
      line: 1,
      problem: "the CSV annotation files need Node (their parser is built on Node streams)",
      fix: "In a browser, pick CelebA's text files instead (list_attr_celeba.txt, list_eval_partition.txt)",
    }),
  );
}
