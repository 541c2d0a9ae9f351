import { readFile, stat } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import type { RawImage } from "@celeba/augment";
import { assertOneOf } from "@celeba/internal";
import { pathExists } from "@celeba/internal/node";
import { decodeImage } from "./decode-image";
import {
  BadImageError,
  DataError,
  InvalidOptionError,
  MissingImagesError,
  MissingPathError,
} from "./errors";
import { type ImageStore, openFolderStore, openZipStore } from "./image-store";
import { type AttributeTable, parseAttributes, parseAttributesCsv } from "./parse-attributes";
import { type Partition, parsePartition, parsePartitionCsv } from "./parse-partition";

/** One labelled CelebA image. */
export interface CelebAItem {
  /** Image file name as listed in the annotation, e.g. `"000001.jpg"`. */
  id: string;
  /** One value per attribute, `1` or `-1`, in `attributeNames` order. */
  labels: Int8Array;
  /**
   * Official partition from `list_eval_partition`: 0 = train, 1 = validation, 2 = test;
   * `null` when the dataset was loaded with `partition: null`.
   */
  partition: Partition | null;
}

/** Options of {@link loadCelebA}. */
export interface LoadCelebAConfig {
  /** Folder holding the images and annotation files (CelebA's own layout or Kaggle's). */
  root: string;
  /**
   * Attribute file, relative to `root` or absolute.
   * Default: the first of `list_attr_celeba.txt`, `list_attr_celeba.csv` found in `root` or `root/Anno`.
   */
  attributes?: string;
  /**
   * Partition file, relative to `root` or absolute.
   * Default: the first of `list_eval_partition.txt`, `list_eval_partition.csv` found in `root` or `root/Eval`.
   * `null` reads no partition file (for a random split, which never uses it); every item's
   * `partition` is then `null`.
   */
  partition?: string | null;
  /**
   * Image folder or zip, relative to `root` or absolute.
   * Default: the first of `img_align_celeba/`, `img_align_celeba.zip` found in `root` or `root/Img`.
   */
  images?: string;
  /**
   * What to do when the annotation lists images that are not present: `"error"` throws a
   * {@link MissingImagesError} with the count, `"skip"` drops them with a warning. Default `"error"`.
   */
  onMissingImage?: "error" | "skip";
  /** Receives warnings (unlisted images, skipped images). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A loaded CelebA dataset: annotations in memory, images decoded on demand. */
export interface CelebADataset {
  /** The resolved root folder. */
  readonly root: string;
  /** Attribute names from the annotation header, in label order. */
  readonly attributeNames: string[];
  /** Labelled images in annotation order. */
  readonly items: CelebAItem[];
  /** `items.length`. */
  readonly size: number;
  /** Where the images are read from. */
  readonly images: { kind: "folder" | "zip"; path: string };
  /**
   * Reads and decodes one image to 8-bit RGB.
   * @throws {BadImageError} If it is truncated or corrupt.
   */
  readImage(id: string): Promise<RawImage>;
  /** Reads one image's encoded bytes (from the folder, or inflated from the zip). */
  readImageBytes(id: string): Promise<Uint8Array>;
  /** Closes the zip file handle, if any. The dataset cannot read images afterwards. */
  close(): Promise<void>;
}

const LAYOUT =
  "Expected layout: <root>/img_align_celeba/000001.jpg... (or <root>/img_align_celeba.zip), " +
  "<root>/list_attr_celeba.txt (or the Kaggle list_attr_celeba.csv) and <root>/list_eval_partition.txt " +
  "(or list_eval_partition.csv); CelebA's Anno/, Eval/ and Img/ subfolders are also searched. " +
  "Pass `attributes`, `partition` or `images` to point at files elsewhere.";

/**
 * Loads CelebA as downloaded: annotations (text or Kaggle CSV) are parsed and joined with the partition,
 * the image folder is listed or the zip's central directory read (never extracted). Images are decoded
 * only when read.
 *
 * @param config - See {@link LoadCelebAConfig}; only `root` is required.
 * @returns The dataset: attribute names, items, and image readers.
 * @throws {MissingPathError} If the root, an annotation file or the images cannot be found (the message
 * names the path and the expected layout).
 * @throws {AnnotationError} On a malformed annotation line (file and line named).
 * @throws {MissingImagesError} If listed images are missing and `onMissingImage` is `"error"`.
 * @example
 * const celeba = await loadCelebA({ root: "./celeba" });
 * celeba.attributeNames.length; // 40
 * const img = await celeba.readImage(celeba.items[0].id); // { data, width: 178, height: 218, channels: 3 }
 */
export async function loadCelebA(config: LoadCelebAConfig): Promise<CelebADataset> {
  if (config == null || typeof config.root !== "string" || config.root === "") {
    throw new InvalidOptionError({
      option: "root",
      value: config?.root,
      hint: 'the path of the CelebA folder, e.g. { root: "./celeba" }',
    });
  }
  const onMissingImage = config.onMissingImage ?? "error";
  assertOneOf(InvalidOptionError, "onMissingImage", onMissingImage, ["error", "skip"]);
  const warn = config.onWarning ?? ((message: string) => console.warn(message));
  const root = resolve(config.root);
  if (!(await pathExists(root)))
    throw new MissingPathError({ path: root, what: "CelebA root folder", layout: LAYOUT });

  const attrPath = await locate(
    root,
    config.attributes,
    ["", "Anno"],
    ["list_attr_celeba.txt", "list_attr_celeba.csv"],
    "Attribute file",
  );
  const partPath =
    config.partition === null
      ? null
      : await locate(
          root,
          config.partition,
          ["", "Eval"],
          ["list_eval_partition.txt", "list_eval_partition.csv"],
          "Partition file",
        );
  const imagesPath = await locate(
    root,
    config.images,
    ["", "Img"],
    ["img_align_celeba", "img_align_celeba.zip"],
    "Image folder or zip",
  );

  const attrName = basename(attrPath);
  const attrText = await readFile(attrPath, "utf8");
  const table: AttributeTable = attrPath.toLowerCase().endsWith(".csv")
    ? await parseAttributesCsv(attrText, attrName)
    : parseAttributes(attrText, attrName);
  const partitions = partPath === null ? null : await readPartition(partPath);
  const partName = partPath === null ? "" : basename(partPath);
  const unpartitioned = partitions ? table.rows.filter((row) => !partitions.has(row.id)) : [];
  if (unpartitioned.length > 0) {
    throw new DataError({
      message:
        `${unpartitioned.length} image(s) in ${attrName} have no line in ${partName} ` +
        `(first: ${unpartitioned
          .slice(0, 5)
          .map((r) => r.id)
          .join(", ")}). ` +
        "The two files come from different versions of the dataset: re-download both.",
    });
  }

  const store: ImageStore = (await isDirectory(imagesPath))
    ? await openFolderStore(imagesPath, LAYOUT)
    : await openZipStore(imagesPath);
  try {
    const missing = table.rows.filter((row) => !store.names.has(row.id));
    const listed = new Set(table.rows.map((row) => row.id));
    let unlisted = 0;
    for (const name of store.names) if (!listed.has(name)) unlisted++;
    if (missing.length > 0) {
      const examples = missing.slice(0, 5).map((r) => r.id);
      if (onMissingImage === "error")
        throw new MissingImagesError({
          count: missing.length,
          examples,
          source: store.path,
          annotation: attrName,
        });
      warn(
        `@celeba/data: skipping ${missing.length} image(s) listed in ${attrName} but missing from ${store.path} ` +
          `(first: ${examples.join(", ")}).`,
      );
    }
    if (unlisted > 0) {
      warn(
        `@celeba/data: ${unlisted} image(s) in ${store.path} are not listed in ${attrName} and are ignored; ` +
          `${listed.size} are listed.`,
      );
    }
    const items: CelebAItem[] = [];
    for (const row of table.rows) {
      if (!store.names.has(row.id)) continue;
      items.push({
        id: row.id,
        labels: row.labels,
        partition: partitions ? (partitions.get(row.id) as Partition) : null,
      });
    }
    const readImageBytes = (id: string): Promise<Uint8Array> => store.readBytes(id);
    const readImage = async (id: string): Promise<RawImage> => {
      const bytes = await store.readBytes(id);
      try {
        return await decodeImage(bytes);
      } catch (error) {
        throw new BadImageError({ id, source: store.describe(id), cause: error });
      }
    };
    return {
      root,
      attributeNames: table.attributeNames,
      items,
      size: items.length,
      images: { kind: store.kind, path: store.path },
      readImage,
      readImageBytes,
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function locate(
  root: string,
  given: string | undefined,
  folders: string[],
  names: string[],
  what: string,
): Promise<string> {
  if (given !== undefined) {
    const path = isAbsolute(given) ? given : join(root, given);
    if (!(await pathExists(path))) throw new MissingPathError({ path, what, layout: LAYOUT });
    return path;
  }
  for (const folder of folders) {
    for (const name of names) {
      const path = join(root, folder, name);
      if (await pathExists(path)) return path;
    }
  }
  throw new MissingPathError({
    path: join(root, names[0] as string),
    what: `${what} (${names.join(" or ")})`,
    layout: LAYOUT,
  });
}

async function readPartition(path: string): Promise<Map<string, Partition>> {
  const name = basename(path);
  const text = await readFile(path, "utf8");
  return path.toLowerCase().endsWith(".csv")
    ? parsePartitionCsv(text, name)
    : parsePartition(text, name);
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}
