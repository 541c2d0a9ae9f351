import { type FileHandle, open } from "node:fs/promises";
import { promisify } from "node:util";
import { crc32, inflateRaw } from "node:zlib";
import { ZipError } from "./errors";

const inflateRawAsync = promisify(inflateRaw);

/** One file in a zip's central directory. */
export interface ZipEntry {
  /** Full entry name, e.g. `"img_align_celeba/000001.jpg"`. Never used as a filesystem path. */
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  flags: number;
}

/** A zip file opened for random access: the central directory is in memory, entry data is read on demand. */
export interface ZipArchive {
  readonly path: string;
  /** File entries (directories omitted) in central-directory order. */
  readonly entries: ZipEntry[];
  /** Reads and inflates one entry, checking its CRC-32. */
  read(entry: ZipEntry): Promise<Uint8Array>;
  close(): Promise<void>;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const FIX =
  "The zip is truncated or not a zip: re-download it, or extract it and point `images` at the folder";
// Local headers usually repeat the central extra field; reading this much slack saves a second read.
const LOCAL_SLACK = 64;

/**
 * Opens a zip for random access by reading its end-of-central-directory record (zip64 aware) and the
 * central directory, without extracting anything.
 *
 * @throws {ZipError} If the file is not a zip, is split over several disks, or its directory is malformed.
 */
export async function openZip(path: string): Promise<ZipArchive> {
  const handle = await open(path, "r");
  try {
    const entries = await readCentralDirectory(handle, path);
    return {
      path,
      entries,
      read: (entry) => readEntry(handle, path, entry),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

async function readCentralDirectory(handle: FileHandle, path: string): Promise<ZipEntry[]> {
  const { size } = await handle.stat();
  // The EOCD record is 22 bytes plus a comment of at most 65535 bytes.
  const tailLength = Math.min(size, 22 + 65535);
  const tailStart = size - tailLength;
  const tail = await readAt(handle, tailStart, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(path, "no end-of-central-directory record found", FIX);
  const diskNumber = tail.readUInt16LE(eocd + 4);
  let entryCount = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const locatorPos = eocd - 20;
  const hasLocator = locatorPos >= 0 && tail.readUInt32LE(locatorPos) === ZIP64_LOCATOR_SIG;
  const saturated = entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  if (saturated && !hasLocator) {
    throw new ZipError(
      path,
      "the archive needs zip64 records but its zip64 locator is missing",
      FIX,
    );
  }
  if (hasLocator) {
    // Zip64: the locator sits right before the classic EOCD and points at the zip64 EOCD record, whose
    // 64-bit fields win even when the classic ones are not saturated (as CPython's zipfile writes them).
    const zip64Offset = Number(tail.readBigUInt64LE(locatorPos + 8));
    const record = await readAt(handle, zip64Offset, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIG) {
      throw new ZipError(
        path,
        `no zip64 end-of-central-directory record at offset ${zip64Offset}`,
        FIX,
      );
    }
    entryCount = Number(record.readBigUInt64LE(32));
    cdSize = Number(record.readBigUInt64LE(40));
    cdOffset = Number(record.readBigUInt64LE(48));
  } else if (diskNumber !== 0) {
    throw new ZipError(
      path,
      "multi-disk (split) archives are not supported",
      "Join the parts into one zip first",
    );
  }
  if (cdOffset + cdSize > size) {
    throw new ZipError(
      path,
      `the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end of the file`,
      FIX,
    );
  }
  const cd = await readAt(handle, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < entryCount; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) {
      throw new ZipError(
        path,
        `central directory entry ${i} is malformed (offset ${cdOffset + p})`,
        FIX,
      );
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLength);
    // Bit 11 marks UTF-8; otherwise CP437, which equals latin1 for the ASCII names CelebA uses.
    const name = nameBytes.toString(flags & 0x800 ? "utf8" : "latin1");
    const extraStart = p + 46 + nameLength;
    let q = extraStart;
    while (q + 4 <= extraStart + extraLength) {
      const id = cd.readUInt16LE(q);
      const len = cd.readUInt16LE(q + 2);
      if (id === 0x0001) {
        // Zip64 extended info holds, in this order, only the fields whose classic value is saturated.
        let r = q + 4;
        if (uncompressedSize === 0xffffffff) {
          uncompressedSize = Number(cd.readBigUInt64LE(r));
          r += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(cd.readBigUInt64LE(r));
          r += 8;
        }
        if (localHeaderOffset === 0xffffffff) {
          localHeaderOffset = Number(cd.readBigUInt64LE(r));
          r += 8;
        }
      }
      q += 4 + len;
    }
    p = extraStart + extraLength + commentLength;
    if (name.endsWith("/")) continue;
    entries.push({
      name,
      method,
      compressedSize,
      uncompressedSize,
      crc32: crc,
      localHeaderOffset,
      flags,
    });
  }
  return entries;
}

async function readEntry(handle: FileHandle, path: string, entry: ZipEntry): Promise<Uint8Array> {
  const where = `${path}!${entry.name}`;
  if (entry.flags & 0x1) {
    throw new ZipError(where, "the entry is encrypted", "Re-create the zip without a password");
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipError(
      where,
      `compression method ${entry.method} is not supported (only 0 = store and 8 = deflate)`,
      "Re-create the zip with deflate",
    );
  }
  const guess = 30 + Buffer.byteLength(entry.name) + LOCAL_SLACK + entry.compressedSize;
  let chunk = await readAt(handle, entry.localHeaderOffset, guess);
  if (chunk.length < 30 || chunk.readUInt32LE(0) !== LOCAL_SIG) {
    throw new ZipError(where, `no local file header at offset ${entry.localHeaderOffset}`, FIX);
  }
  const dataStart = 30 + chunk.readUInt16LE(26) + chunk.readUInt16LE(28);
  if (dataStart + entry.compressedSize > chunk.length) {
    chunk = await readAt(handle, entry.localHeaderOffset, dataStart + entry.compressedSize);
    if (dataStart + entry.compressedSize > chunk.length) {
      throw new ZipError(where, "the entry's data runs past the end of the file", FIX);
    }
  }
  const compressed = chunk.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = compressed;
  else {
    try {
      data = await inflateRawAsync(compressed);
    } catch (error) {
      throw new ZipError(where, `the deflate stream is corrupt (${(error as Error).message})`, FIX);
    }
  }
  if (data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32) {
    throw new ZipError(
      where,
      "the entry's size or CRC-32 does not match the central directory",
      FIX,
    );
  }
  return data;
}
