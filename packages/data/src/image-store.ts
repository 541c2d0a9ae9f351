import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ZipEntry, ZipProblem } from "@celeba/internal";
import { openZipFile } from "@celeba/internal/node";
import { MissingPathError, ZipError } from "./errors";

/** Where a dataset's images live: a folder of files or a zip read in place. */
export interface ImageStore {
  readonly kind: "folder" | "zip";
  readonly path: string;
  /** Image file names present (folder entries / zip entry base names). */
  readonly names: ReadonlySet<string>;
  readBytes(name: string): Promise<Uint8Array>;
  /** Human-readable location of one image for messages. */
  describe(name: string): string;
  close(): Promise<void>;
}

const IMAGE_EXTENSION = /\.(jpe?g|png|webp|bmp|tiff?|gif)$/i;

/** Whether a file name looks like an image this package can decode. */
export function isImageName(name: string): boolean {
  return IMAGE_EXTENSION.test(name) && !name.startsWith("._");
}

/**
 * Opens a folder of images. A Kaggle-style nested `img_align_celeba/img_align_celeba/` is followed.
 * Only names returned by readdir are ever joined onto the folder path, so annotation ids cannot escape it.
 */
export async function openFolderStore(path: string, layout: string): Promise<ImageStore> {
  let dir = path;
  let listing = await listDir(dir, layout);
  const inner = join(dir, basename(dir));
  if (!listing.some(isImageName) && listing.includes(basename(dir)) && (await isDir(inner))) {
    dir = inner;
    listing = await listDir(dir, layout);
  }
  const names = new Set(listing.filter(isImageName));
  return {
    kind: "folder",
    path: dir,
    names,
    readBytes: (name) => {
      if (!names.has(name))
        return Promise.reject(
          new MissingPathError({ path: join(dir, name), what: "Image", layout }),
        );
      return readFile(join(dir, name));
    },
    describe: (name) => join(dir, name),
    close: async () => {},
  };
}

const ZIP_FIX: Record<ZipProblem["kind"], string> = {
  corrupt:
    "The zip is truncated or not a zip: re-download it, or extract it and point `images` at the folder",
  unsupported: "Re-create the zip in one part, without a password, with deflate or no compression",
  "too-large":
    "The zip's directory does not match its data (a damaged or malicious archive): re-download it",
  duplicate:
    "Each image must appear once: remove the extra entry from the zip, or extract it and point `images` at the folder",
  missing: "The zip has no entry with this name",
};

// No image comes near this; a larger entry is refused before it is read.
const MAX_IMAGE_BYTES = 256 * 2 ** 20;

/**
 * Opens a zip of images for random access. Entries are keyed by base name (`img_align_celeba/000001.jpg`
 * is `000001.jpg`); two images with one base name are an error naming both, since either could stand in
 * for the other. macOS resource forks are ignored. Entry names are never used as filesystem paths.
 * Each entry inflates into at most its declared size (a zip bomb stops there), and concurrent reads
 * share the shared zip reader's byte budget.
 */
export async function openZipStore(path: string): Promise<ImageStore> {
  const zip = await openZipFile(path, {
    maxEntryBytes: MAX_IMAGE_BYTES,
    toError: (problem, archive) =>
      new ZipError({
        path: problem.entry === undefined ? archive : `${archive}!${problem.entry}`,
        problem: problem.detail,
        fix: ZIP_FIX[problem.kind],
      }),
  });
  let byName: Map<string, ZipEntry>;
  try {
    byName = zip.indexByBaseName(
      (entry, name) => !entry.name.startsWith("__MACOSX/") && isImageName(name),
    );
  } catch (error) {
    await zip.close();
    throw error;
  }
  const names = new Set(byName.keys());
  return {
    kind: "zip",
    path,
    names,
    readBytes: (name) => {
      const entry = byName.get(name);
      if (entry === undefined) {
        return Promise.reject(
          new MissingPathError({
            path: `${path}!${name}`,
            what: "Zip entry",
            layout: "The zip has no entry with this file name",
          }),
        );
      }
      return zip.read(entry);
    },
    describe: (name) => `${path}!${byName.get(name)?.name ?? name}`,
    close: () => zip.close(),
  };
}

async function listDir(dir: string, layout: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "ENOTDIR"
    ) {
      throw new MissingPathError({ path: dir, what: "Image folder", layout });
    }
    throw error;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
