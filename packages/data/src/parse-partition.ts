import { readCsvRows } from "./csv-rows";
import { AnnotationError } from "./errors";

/** CelebA's official partition: 0 = train, 1 = validation, 2 = test. */
export type Partition = 0 | 1 | 2;

const FIX_TEXT =
  "Each line must be an image id and its partition, 0 (train), 1 (validation) or 2 (test), e.g. " +
  '"000001.jpg 0" (list_eval_partition.txt layout); fix or remove the line, or re-download the file';
const FIX_CSV =
  "Each row must be an image id and its partition, 0 (train), 1 (validation) or 2 (test), under the header " +
  "image_id,partition (list_eval_partition.csv layout); fix or remove the row, or re-download the file";

/**
 * Parses CelebA's `list_eval_partition.txt`: one `000001.jpg 0` line per image (any whitespace, CRLF tolerated).
 *
 * @param text - The whole file's text.
 * @param fileName - Name or path used in error messages.
 * @returns A map from image id to partition, in file order.
 * @throws {AnnotationError} On a line without exactly two fields, a partition other than 0/1/2, or a
 * duplicate image id; the error names the file and line.
 * @example
 * const partition = parsePartition(readFileSync("list_eval_partition.txt", "utf8"), "list_eval_partition.txt");
 * partition.get("000001.jpg"); // 0
 * partition.get("202599.jpg"); // 2
 */
export function parsePartition(text: string, fileName: string): Map<string, Partition> {
  const lines = text.split("\n");
  const result = new Map<string, Partition>();
  const firstLine = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const tokens = (lines[i] as string).trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === "") continue;
    add(result, firstLine, tokens, fileName, i + 1, FIX_TEXT);
  }
  return result;
}

/**
 * Parses the Kaggle variant `list_eval_partition.csv`: a header `image_id,partition` then `000001.jpg,0` rows.
 *
 * @param text - The whole file's text.
 * @param fileName - Name or path used in error messages.
 * @returns A map from image id to partition, in file order.
 * @throws {AnnotationError} On a missing header, a row without exactly two columns, a partition other
 * than 0/1/2, or a duplicate image id; the error names the file and line.
 * @example
 * const csv = readFileSync("list_eval_partition.csv", "utf8");
 * const partition = await parsePartitionCsv(csv, "list_eval_partition.csv");
 * partition.get("000001.jpg"); // 0
 */
export async function parsePartitionCsv(
  text: string,
  fileName: string,
): Promise<Map<string, Partition>> {
  const rows = await readCsvRows(text, fileName, FIX_CSV);
  const header = rows[0];
  if (header.fields.length !== 2 || /^[012]$/.test(header.fields[1] ?? "")) {
    throw new AnnotationError({
      file: fileName,
      line: header.line,
      problem: `expected the header image_id,partition but found ${JSON.stringify(header.fields.join(","))}`,
      fix: FIX_CSV,
    });
  }
  const result = new Map<string, Partition>();
  const firstLine = new Map<string, number>();
  for (let r = 1; r < rows.length; r++) {
    const { line, fields } = rows[r] as { line: number; fields: string[] };
    add(result, firstLine, fields, fileName, line, FIX_CSV);
  }
  return result;
}

function add(
  result: Map<string, Partition>,
  firstLine: Map<string, number>,
  fields: string[],
  fileName: string,
  line: number,
  fix: string,
): void {
  if (fields.length !== 2) {
    throw new AnnotationError({
      file: fileName,
      line,
      problem: `expected 2 fields (image id, partition) but found ${fields.length}`,
      fix,
    });
  }
  const [id, value] = fields as [string, string];
  if (value !== "0" && value !== "1" && value !== "2") {
    throw new AnnotationError({
      file: fileName,
      line,
      problem: `partition ${JSON.stringify(value)} is not 0, 1 or 2`,
      fix,
    });
  }
  const previous = firstLine.get(id);
  if (previous !== undefined) {
    throw new AnnotationError({
      file: fileName,
      line,
      problem: `duplicate image id ${JSON.stringify(id)} (first listed on line ${previous})`,
      fix: "Each image may appear once; remove the duplicate line",
    });
  }
  firstLine.set(id, line);
  result.set(id, Number(value) as Partition);
}
