import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { MissingPathError } from "./errors";
import { openZip, type ZipEntry } from "./zip-reader";

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
        return Promise.reject(new MissingPathError(join(dir, name), "Image", layout));
      return readFile(join(dir, name));
    },
    describe: (name) => join(dir, name),
    close: async () => {},
  };
}

/**
 * Opens a zip of images for random access. Entries are keyed by base name (`img_align_celeba/000001.jpg`
 * is `000001.jpg`); macOS resource forks are ignored. Entry names are never used as filesystem paths.
 */
export async function openZipStore(path: string): Promise<ImageStore> {
  const zip = await openZip(path);
  const byName = new Map<string, ZipEntry>();
  for (const entry of zip.entries) {
    if (entry.name.startsWith("__MACOSX/")) continue;
    const name = entry.name.slice(entry.name.lastIndexOf("/") + 1);
    if (isImageName(name) && !byName.has(name)) byName.set(name, entry);
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
          new MissingPathError(
            `${path}!${name}`,
            "Zip entry",
            "The zip has no entry with this file name",
          ),
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
      throw new MissingPathError(dir, "Image folder", layout);
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
