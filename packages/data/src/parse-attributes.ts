import { readCsvRows } from "./csv-rows";
import { AnnotationError } from "./errors";

/** One image's row of an attribute file. */
export interface AttributeRow {
  /** Image id, the file name as listed, e.g. `"000001.jpg"`. */
  id: string;
  /** One value per attribute, `1` or `-1` (a view into one shared buffer). */
  labels: Int8Array;
}

/** A parsed attribute file: names from its header and one row per image, in file order. */
export interface AttributeTable {
  /** Attribute names from the header, in column order. */
  attributeNames: string[];
  /** Rows in file order. */
  rows: AttributeRow[];
}

const FIX_TEXT =
  "Each data line must be an image id followed by one 1 or -1 per attribute name in the header " +
  "(list_attr_celeba.txt layout); fix or remove the line, or re-download the file";
const FIX_CSV =
  "Each row must be an image id followed by one 1 or -1 per column of the header " +
  "(list_attr_celeba.csv layout: image_id,5_o_Clock_Shadow,...); fix or remove the row, or re-download the file";

/**
 * Parses CelebA's `list_attr_celeba.txt`: an optional count line, a header of attribute names, then
 * `000001.jpg -1  1  1 ...` rows with any amount of spaces or tabs between fields (CRLF tolerated).
 * The number and names of attributes come from the header.
 *
 * @param text - The whole file's text.
 * @param fileName - Name or path used in error messages.
 * @returns The attribute names and one row per image, in file order.
 * @throws {AnnotationError} On a missing header, a row with the wrong number of values, a value other
 * than 1/-1, a duplicate image id, or a count line that disagrees with the number of rows; the error
 * names the file and line.
 * @example
 * const table = parseAttributes(readFileSync("list_attr_celeba.txt", "utf8"), "list_attr_celeba.txt");
 * table.attributeNames.length; // 40
 * table.rows[0]; // { id: "000001.jpg", labels: Int8Array [-1, 1, 1, ...] }
 */
export function parseAttributes(text: string, fileName: string): AttributeTable {
  const lines = text.split("\n");
  let index = 0;
  const nextContentLine = (): number => {
    while (index < lines.length && (lines[index] as string).trim() === "") index++;
    return index;
  };

  nextContentLine();
  if (index >= lines.length) {
    throw new AnnotationError({
      file: fileName,
      line: 1,
      problem: "the file is empty",
      fix: FIX_TEXT,
    });
  }
  let declaredCount: number | undefined;
  let countLine = 0;
  const first = (lines[index] as string).trim();
  if (/^\d+$/.test(first)) {
    declaredCount = Number(first);
    countLine = index + 1;
    index++;
    nextContentLine();
  }
  if (index >= lines.length) {
    throw new AnnotationError({
      file: fileName,
      line: index + 1,
      problem: "missing the header line of attribute names",
      fix: "The line after the image count must list the attribute names separated by spaces",
    });
  }
  const headerLine = index + 1;
  let attributeNames = (lines[index] as string).trim().split(/\s+/);
  // Some re-exports prefix the header with a name for the id column; CelebA's own file does not.
  if (attributeNames[0] === "image_id" || attributeNames[0] === "id")
    attributeNames = attributeNames.slice(1);
  checkNames(attributeNames, fileName, headerLine);
  index++;

  const n = attributeNames.length;
  const dataLines = lines.length - index;
  let buffer = new Int8Array(Math.max(1, dataLines) * n);
  const rows: AttributeRow[] = [];
  const seen = new Map<string, number>();
  for (; index < lines.length; index++) {
    const raw = lines[index] as string;
    const lineNo = index + 1;
    const tokens = raw.trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === "") continue;
    if (tokens.length !== n + 1) {
      if (rows.length === 0 && nextDataWidth(lines, index + 1) === tokens.length)
        throw headerMismatch(fileName, headerLine, n, lineNo, tokens.length - 1, FIX_HEADER_TEXT);
      throw new AnnotationError({
        file: fileName,
        line: lineNo,
        problem: `expected ${n + 1} fields (image id + ${n} attribute values) but found ${tokens.length}`,
        fix: FIX_TEXT,
      });
    }
    const id = tokens[0] as string;
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new AnnotationError({
        file: fileName,
        line: lineNo,
        problem: `duplicate image id ${JSON.stringify(id)} (first listed on line ${previous})`,
        fix: "Each image may appear once; remove the duplicate line",
      });
    }
    seen.set(id, lineNo);
    const offset = rows.length * n;
    if (offset + n > buffer.length) {
      const grown = new Int8Array(buffer.length * 2 + n);
      grown.set(buffer);
      buffer = grown;
    }
    for (let j = 0; j < n; j++) {
      const token = tokens[j + 1] as string;
      if (token === "1") buffer[offset + j] = 1;
      else if (token === "-1") buffer[offset + j] = -1;
      else {
        throw new AnnotationError({
          file: fileName,
          line: lineNo,
          problem: `value ${JSON.stringify(token)} for attribute ${attributeNames[j]} (column ${j + 2}) is not 1 or -1`,
          fix: FIX_TEXT,
        });
      }
    }
    rows.push({ id, labels: buffer.subarray(offset, offset + n) });
  }
  if (declaredCount !== undefined && declaredCount !== rows.length) {
    throw new AnnotationError({
      file: fileName,
      line: countLine,
      problem: `the count line says ${declaredCount} images but the file has ${rows.length} data lines`,
      fix: "The file is truncated or edited: re-download it, or correct the count on line 1",
    });
  }
  return { attributeNames, rows };
}

/**
 * Parses the Kaggle variant `list_attr_celeba.csv`: a header `image_id,5_o_Clock_Shadow,...` then one
 * `000001.jpg,-1,1,...` row per image. Attribute names come from the header (all columns after the first).
 *
 * @param text - The whole file's text.
 * @param fileName - Name or path used in error messages.
 * @returns The attribute names and one row per image, in file order.
 * @throws {AnnotationError} On a missing header, a row with the wrong number of columns, a value other
 * than 1/-1, or a duplicate image id; the error names the file and line.
 * @example
 * const table = await parseAttributesCsv(readFileSync("list_attr_celeba.csv", "utf8"), "list_attr_celeba.csv");
 * table.attributeNames[0]; // "5_o_Clock_Shadow"
 * table.rows.length; // 202599
 */
export async function parseAttributesCsv(text: string, fileName: string): Promise<AttributeTable> {
  const csvRows = await readCsvRows(text, fileName, FIX_CSV);
  const header = csvRows[0];
  const attributeNames = header.fields.slice(1);
  checkNames(attributeNames, fileName, header.line);
  const n = attributeNames.length;
  const buffer = new Int8Array(Math.max(1, csvRows.length - 1) * n);
  const rows: AttributeRow[] = [];
  const seen = new Map<string, number>();
  for (let r = 1; r < csvRows.length; r++) {
    const { line, fields } = csvRows[r] as { line: number; fields: string[] };
    if (fields.length !== n + 1) {
      if (r === 1 && csvRows[2]?.fields.length === fields.length)
        throw headerMismatch(fileName, header.line, n, line, fields.length - 1, FIX_HEADER_CSV);
      throw new AnnotationError({
        file: fileName,
        line,
        problem: `expected ${n + 1} columns (image_id + ${n} attributes) but found ${fields.length}`,
        fix: FIX_CSV,
      });
    }
    const id = fields[0] as string;
    const previous = seen.get(id);
    if (previous !== undefined) {
      throw new AnnotationError({
        file: fileName,
        line,
        problem: `duplicate image id ${JSON.stringify(id)} (first listed on line ${previous})`,
        fix: "Each image may appear once; remove the duplicate row",
      });
    }
    seen.set(id, line);
    const offset = rows.length * n;
    for (let j = 0; j < n; j++) {
      const token = fields[j + 1] as string;
      if (token === "1") buffer[offset + j] = 1;
      else if (token === "-1") buffer[offset + j] = -1;
      else {
        throw new AnnotationError({
          file: fileName,
          line,
          problem: `value ${JSON.stringify(token)} for attribute ${attributeNames[j]} (column ${j + 2}) is not 1 or -1`,
          fix: FIX_CSV,
        });
      }
    }
    rows.push({ id, labels: buffer.subarray(offset, offset + n) });
  }
  return { attributeNames, rows };
}

const FIX_HEADER_TEXT =
  "The header line must name every attribute column of the data lines (CelebA's names 40); " +
  "add the missing names or re-download the file";
const FIX_HEADER_CSV =
  "The header row must name every column of the data rows (image_id, then CelebA's 40 attributes); " +
  "add the missing names or re-download the file";

/** Token count of the first non-blank line from `from`, or undefined at the end. */
function nextDataWidth(lines: readonly string[], from: number): number | undefined {
  for (let i = from; i < lines.length; i++) {
    const t = (lines[i] as string).trim();
    if (t !== "") return t.split(/\s+/).length;
  }
  return undefined;
}

/**
 * The first two data lines agree with each other but not with the header: the header is what is
 * wrong, so the error names its line rather than the first data line.
 */
function headerMismatch(
  fileName: string,
  headerLine: number,
  names: number,
  dataLine: number,
  values: number,
  fix: string,
): AnnotationError {
  return new AnnotationError({
    file: fileName,
    line: headerLine,
    problem: `the header names ${names} attributes but the data lines (from line ${dataLine}) have ${values} values each`,
    fix,
  });
}

function checkNames(names: string[], fileName: string, line: number): void {
  if (names.length === 0 || (names.length === 1 && names[0] === "")) {
    throw new AnnotationError({
      file: fileName,
      line,
      problem: "the header has no attribute names",
      fix: "The header must list the attribute names (e.g. 5_o_Clock_Shadow Arched_Eyebrows ...)",
    });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (/^-?1$/.test(name)) {
      throw new AnnotationError({
        file: fileName,
        line,
        problem: `expected the header of attribute names but found data (${JSON.stringify(name)})`,
        fix: "Restore the header line of attribute names above the data lines",
      });
    }
    if (seen.has(name)) {
      throw new AnnotationError({
        file: fileName,
        line,
        problem: `attribute name ${JSON.stringify(name)} appears twice in the header`,
        fix: "Attribute names must be unique; rename or remove the duplicate",
      });
    }
    seen.add(name);
  }
}
