import {
  type AttributeRow,
  type Partition,
  parseAttributes,
  parsePartition,
} from "@celeba/data/annotations";
import { bytesSource, ZipReader } from "@celeba/internal";

/** A CelebA-layout dataset picked in the page: images by file name, labels, and the optional official split. */
export interface PickedCelebA {
  /** Image file name (e.g. `000001.jpg`) to its encoded bytes. */
  images: Map<string, Blob>;
  attributeNames: string[];
  /** Image ids in file order, with their ±1 labels. */
  rows: AttributeRow[];
  /** `list_eval_partition.txt`: id to 0 (train), 1 (val), 2 (test); absent when not picked. */
  partition?: Map<string, Partition>;
}

const IMAGE_FILE = /\.(jpe?g|png)$/i;

/**
 * Reads the files `reference synth --zip` writes (or real CelebA's): `img_align_celeba.zip` (or
 * loose images), `list_attr_celeba.txt` and optionally `list_eval_partition.txt`. The text files
 * go through `@celeba/data`'s parsers, the zip through the repo's one zip reader.
 *
 * @param files - The files from the multiple-file input.
 * @throws With the file name (and line, or zip entry) when a file is missing or malformed.
 */
export async function readPickedCelebA(files: readonly File[]): Promise<PickedCelebA> {
  const attrFile = files.find((f) => f.name === "list_attr_celeba.txt");
  if (!attrFile)
    throw new Error("list_attr_celeba.txt is missing: pick it together with the images");
  const { attributeNames, rows } = parseAttributes(await attrFile.text(), attrFile.name);
  const partFile = files.find((f) => f.name === "list_eval_partition.txt");
  const partition = partFile ? parsePartition(await partFile.text(), partFile.name) : undefined;
  const images = new Map<string, Blob>();
  const add = (name: string, blob: Blob, from: string) => {
    if (images.has(name)) {
      throw new Error(
        `${from}: a second image named ${name}; pick each image once (one zip, or loose files)`,
      );
    }
    images.set(name, blob);
  };
  for (const file of files) {
    if (file.name.toLowerCase().endsWith(".zip")) {
      for (const [name, blob] of await readZipImages(file)) add(name, blob, file.name);
    } else if (IMAGE_FILE.test(file.name)) add(file.name, file, file.name);
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
  const zip = await ZipReader.open(bytesSource(new Uint8Array(await file.arrayBuffer())), {
    name: file.name,
  });
  const out = new Map<string, Blob>();
  try {
    for (const entry of zip.entries) {
      if (!IMAGE_FILE.test(entry.name)) continue;
      const name = entry.name.slice(entry.name.lastIndexOf("/") + 1);
      if (out.has(name)) {
        throw new Error(
          `${file.name}: two images named ${name} (${entry.name} and another folder's); a CelebA zip names each image once`,
        );
      }
      const bytes = await zip.read(entry);
      out.set(
        name,
        new Blob([bytes as Uint8Array<ArrayBuffer>], {
          type: /png$/i.test(name) ? "image/png" : "image/jpeg",
        }),
      );
    }
  } finally {
    await zip.close();
  }
  return out;
}
