/**
 * Formats an attribute table exactly like CelebA's `list_attr_celeba.txt`: the image count, the names
 * separated by single spaces with a trailing space, then each id followed by its values right-aligned
 * in 2-wide fields separated by a space (`000001.jpg -1  1  1 -1`).
 *
 * @param names - Attribute names (header order).
 * @param ids - Image ids, one per row.
 * @param labels - ids.length x names.length values, row-major, 1 or -1.
 * @returns The file's text, ending with a newline.
 * @example
 * formatAttributeFile(["A", "B"], ["000001.jpg"], Int8Array.of(-1, 1));
 * // "1\nA B \n000001.jpg -1  1\n"
 * writeFileSync("list_attr_celeba.txt", formatAttributeFile(names, ids, labels));
 */
export function formatAttributeFile(
  names: readonly string[],
  ids: readonly string[],
  labels: Int8Array,
): string {
  const m = names.length;
  const parts: string[] = [`${ids.length}\n${names.join(" ")} \n`];
  for (let i = 0; i < ids.length; i++) {
    let line = ids[i] as string;
    for (let j = 0; j < m; j++) line += labels[i * m + j] === 1 ? "  1" : " -1";
    parts.push(`${line}\n`);
  }
  return parts.join("");
}
