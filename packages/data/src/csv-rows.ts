import { parseString } from "fast-csv";

/** One parsed CSV row with its 1-based line number. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text with fast-csv into rows of trimmed fields, keeping line numbers for error messages.
 * Blank lines are dropped but still counted, so line numbers match what an editor shows.
 */
export function readCsvRows(text: string): Promise<CsvRow[]> {
  return new Promise((resolve, reject) => {
    const rows: CsvRow[] = [];
    // Quoted fields could span lines, but CelebA's CSVs never quote, so row index + blank lines = line number.
    let line = 0;
    parseString<string[], string[]>(text, { headers: false, trim: true })
      .on("error", reject)
      .on("data", (fields: string[]) => {
        line++;
        if (fields.length === 0 || (fields.length === 1 && fields[0] === "")) return;
        rows.push({ line, fields });
      })
      .on("end", () => resolve(rows));
  });
}
