import { parseString } from "fast-csv";
import { AnnotationError } from "./errors";

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** Longest quote of a line in a parse error: enough to spot the fault, never a megabyte. */
const MAX_QUOTE = 120;

/** A CSV file's rows: the header first, then at least zero more. */
export type CsvRows = [header: CsvRow, ...rows: CsvRow[]];

/**
 * Parses CSV text with fast-csv into rows of trimmed fields, keeping line numbers for error messages.
 * A leading byte-order mark (Excel writes one) is dropped. Blank lines are dropped but still
 * counted, so line numbers match what an editor shows.
 *
 * @throws {AnnotationError} When the file has no rows, or the text is not valid CSV (an
 * unterminated quote, say): the error names the file and the line, and quotes at most that line,
 * not fast-csv's rest of the file.
 */
export async function readCsvRows(source: string, fileName: string, fix: string): Promise<CsvRows> {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const rows = await parseCsv(text, fileName, fix);
  const [header, ...rest] = rows;
  if (header === undefined)
    throw new AnnotationError({ file: fileName, line: 1, problem: "the file is empty", fix });
  return [header, ...rest];
}

function parseCsv(text: string, fileName: string, fix: string): Promise<CsvRow[]> {
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
