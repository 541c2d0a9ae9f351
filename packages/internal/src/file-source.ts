import { type FileHandle, open } from "node:fs/promises";
import type { RandomAccessSource } from "./random-access-source";
import { ZipReader, type ZipReaderOptions } from "./zip-reader";

/**
 * A source that reads a file through its handle at any offset, so a 1.4 GB archive is never
 * loaded whole. Node only. {@link RandomAccessSource.close} closes the handle.
 *
 * @param path - The file.
 * @returns The source, with the file open.
 */
export async function openFileSource(path: string): Promise<RandomAccessSource> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return {
      size,
      read: (position, length) => readAt(handle, position, length),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/**
 * Opens a zip file for random access: {@link ZipReader.open} over {@link openFileSource}, with
 * the file closed again when the directory cannot be read.
 *
 * @param path - The archive; also its name in errors unless `options.name` says otherwise.
 * @param options - As for {@link ZipReader.open}.
 * @returns The reader; call `close()` when done.
 */
export async function openZipFile(
  path: string,
  options: Partial<ZipReaderOptions> = {},
): Promise<ZipReader> {
  const source = await openFileSource(path);
  try {
    return await ZipReader.open(source, { name: path, ...options });
  } catch (error) {
    await source.close?.();
    throw error;
  }
}
