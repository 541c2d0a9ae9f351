import { unzip } from "fflate";

/** A CelebA-layout dataset picked in the page: images by file name, labels, and the optional official split. */
export interface PickedCelebA {
  /** Image file name (e.g. `000001.jpg`) to its encoded bytes. */
  images: Map<string, Blob>;
  attributeNames: string[];
  /** Image ids in file order, with their ±1 labels. */
  rows: { id: string; labels: Int8Array }[];
  /** `list_eval_partition.txt`: id to 0 (train), 1 (val), 2 (test); absent when not picked. */
  partition?: Map<string, number>;
}

const IMAGE_FILE = /\.(jpe?g|png)$/i;

/**
 * Reads the files `reference synth --zip` writes (or real CelebA's): `img_align_celeba.zip` (or
 * loose images), `list_attr_celeba.txt` and optionally `list_eval_partition.txt`.
 *
 * @param files - The files from the multiple-file input.
 * @throws With the file name and line when a file is missing or malformed.
 */
export async function readPickedCelebA(files: readonly File[]): Promise<PickedCelebA> {
  const attrFile = files.find((f) => f.name === "list_attr_celeba.txt");
  if (!attrFile)
    throw new Error("list_attr_celeba.txt is missing: pick it together with the images");
  const { attributeNames, rows } = parseAttributeText(await attrFile.text(), attrFile.name);
  const partFile = files.find((f) => f.name === "list_eval_partition.txt");
  const partition = partFile ? parsePartitionText(await partFile.text(), partFile.name) : undefined;
  const images = new Map<string, Blob>();
  for (const file of files) {
    if (file.name.toLowerCase().endsWith(".zip")) {
      for (const [name, blob] of await readZipImages(file)) images.set(name, blob);
    } else if (IMAGE_FILE.test(file.name)) images.set(file.name, file);
  }
  const missing = rows.filter((r) => !images.has(r.id));
  if (missing.length > 0) {
    throw new Error(
      `${missing.length} images listed in ${attrFile.name} are not among the picked files (first: ${missing[0]!.id}); pick img_align_celeba.zip too`,
    );
  }
  return { images, attributeNames, rows, ...(partition ? { partition } : {}) };
}

/** The image entries of a zip, by base name (the zip is read in memory; it is a dataset slice). */
async function readZipImages(file: File): Promise<Map<string, Blob>> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const entries = await new Promise<Record<string, Uint8Array>>((resolve, reject) =>
    unzip(bytes, { filter: (f) => IMAGE_FILE.test(f.name) }, (error, out) =>
      error ? reject(new Error(`${file.name}: ${error.message}`)) : resolve(out),
    ),
  );
  const out = new Map<string, Blob>();
  for (const [path, data] of Object.entries(entries)) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    out.set(
      name,
      new Blob([data as Uint8Array<ArrayBuffer>], {
        type: /png$/i.test(name) ? "image/png" : "image/jpeg",
      }),
    );
  }
  return out;
}

/** CelebA's `list_attr_celeba.txt`: an image count, a line of names, then `id ±1 ±1 ...` rows. */
export function parseAttributeText(
  text: string,
  fileName: string,
): { attributeNames: string[]; rows: { id: string; labels: Int8Array }[] } {
  const lines = text.split(/\r?\n/);
  let i = 0;
  if (/^\s*\d+\s*$/.test(lines[0] ?? "")) i = 1;
  const attributeNames = (lines[i] ?? "").trim().split(/\s+/).filter(Boolean);
  if (attributeNames.length === 0)
    throw new Error(`${fileName}, line ${i + 1}: expected the attribute names`);
  const rows: { id: string; labels: Int8Array }[] = [];
  for (let n = i + 1; n < lines.length; n++) {
    const tokens = lines[n]!.trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === "") continue;
    if (tokens.length !== attributeNames.length + 1) {
      throw new Error(
        `${fileName}, line ${n + 1}: expected an image id and ${attributeNames.length} values, found ${tokens.length} fields`,
      );
    }
    const labels = new Int8Array(attributeNames.length);
    for (let k = 0; k < labels.length; k++) {
      const v = tokens[k + 1];
      if (v !== "1" && v !== "-1")
        throw new Error(`${fileName}, line ${n + 1}: value "${v}" is not 1 or -1`);
      labels[k] = v === "1" ? 1 : -1;
    }
    rows.push({ id: tokens[0]!, labels });
  }
  if (rows.length === 0) throw new Error(`${fileName}: no image rows`);
  return { attributeNames, rows };
}

/** CelebA's `list_eval_partition.txt`: `id 0|1|2` per line. */
export function parsePartitionText(text: string, fileName: string): Map<string, number> {
  const out = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, n) => {
    const tokens = line.trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === "") return;
    if (tokens.length !== 2 || !/^[012]$/.test(tokens[1]!))
      throw new Error(`${fileName}, line ${n + 1}: expected "<image id> <0|1|2>"`);
    out.set(tokens[0]!, Number(tokens[1]));
  });
  return out;
}
