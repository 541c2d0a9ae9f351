/**
 * `@celeba/data/annotations`: CelebA's annotation files without images, sharp or the file system,
 * so that a web page can parse `list_attr_celeba.txt` and `list_eval_partition.txt` with the same
 * code as the Node loader: the parsers, the attribute-file formatter, and CelebA's attribute names
 * and statistics. Its `browser` build imports no Node module; there the CSV variants
 * throw, since their parser needs Node streams.
 *
 * @example
 * import { parseAttributes } from "@celeba/data/annotations";
 * const table = parseAttributes(await file.text(), file.name);
 */

export { CELEBA_ATTRIBUTE_NAMES, CELEBA_ATTRIBUTE_STATS } from "./celeba-attributes";
export { AnnotationError, DataError } from "./errors";
export { formatAttributeFile } from "./format-attribute-file";
export type { AttributeRow, AttributeTable } from "./parse-attributes";
export { parseAttributes, parseAttributesCsv } from "./parse-attributes";
export type { Partition } from "./parse-partition";
export { parsePartition, parsePartitionCsv } from "./parse-partition";
