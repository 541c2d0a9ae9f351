import { UnsupportedFormatError } from "../weights-errors";

// Browser stand-in for `node-files.ts`: there is no file system to read paths from.

function noFiles(path: string): never {
  throw new UnsupportedFormatError({
    source: path,
    firstBytes: "",
    detail:
      "file paths need Node's file system; in a browser pass the file's bytes " +
      "(new Uint8Array(await file.arrayBuffer()))",
  });
}

/** Not available in browsers. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return noFiles(path);
}

/** Not available in browsers. */
export async function readFileHead(
  path: string,
  _length: (size: number, first8: Uint8Array) => number,
): Promise<{ size: number; first8: Uint8Array; head: Uint8Array }> {
  return noFiles(path);
}

/** Not available in browsers. */
export async function writeFileReplacing(path: string, _bytes: Uint8Array): Promise<void> {
  noFiles(path);
}
