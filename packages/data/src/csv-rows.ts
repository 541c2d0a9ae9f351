import { parseString } from "fast-csv";
import { AnnotationError } from "./errors";

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Longest quote of a line in a parse error: enough to spot the fault, never a megabyte. */
const MAX_QUOTE = 120;

/**
 * Parses CSV text with fast-csv into rows of trimmed fields, keeping line numbers for error messages.
 * Blank lines are dropped but still counted, so line numbers match what an editor shows.
 *
 * @throws {AnnotationError} When the text is not valid CSV (an unterminated quote, say): the error
 * names the file and the line, and quotes at most that line, not fast-csv's rest of the file.
 */
export function readCsvRows(text: string, fileName: string, fix: string): Promise<CsvRow[]> {
  return new Promise((resolve, reject) => {
    const rows: CsvRow[] = [];
    // Quoted fields could span lines, but CelebA's CSVs never quote, so row index + blank lines = line number.
    let line = 0;
    parseString<string[], string[]>(text, { headers: false, trim: true })
      .on("error", (error: Error) => {
        // fast-csv stops at the row after the last one it emitted.
        const bad = text.split("\n", line + 1)[line] ?? "";
        const quote = bad.length > MAX_QUOTE ? `${bad.slice(0, MAX_QUOTE)}…` : bad;
        const problem = /missing closing/.test(error.message)
          ? 'a quote (") opens a field but never closes'
          : "the line is not valid CSV";
        reject(
          new AnnotationError({
            file: fileName,
            line: line + 1,
            problem: `${problem}: ${JSON.stringify(quote.trimEnd())}`,
            fix,
          }),
        );
      })
      .on("data", (fields: string[]) => {
        line++;
        if (fields.length === 0 || (fields.length === 1 && fields[0] === "")) return;
        rows.push({ line, fields });
      })
      .on("end", () => resolve(rows));
  });
}
