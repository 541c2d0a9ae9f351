import { InflateError, inflateRawBounded } from "./bounded-inflate";
import { ByteBudget } from "./byte-budget";
import { crc32 } from "./crc32";
import type { RandomAccessSource } from "./random-access-source";

/** One file of a zip archive, located by its central-directory record but not read yet. */
export interface ZipEntry {
  /** The full name inside the archive; a lookup key only, never a filesystem path. */
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  /** Uncompressed size as the central directory declares it. */
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
  /** General-purpose flags (bit 0: encrypted, bit 11: UTF-8 name). */
  flags: number;
}

/** What went wrong, for the consumer to turn into its own error class. */
export interface ZipProblem {
  /**
   * - `corrupt`: truncated or inconsistent archive, bad CRC, invalid deflate data;
   * - `unsupported`: encryption, split archives, methods other than store and deflate;
   * - `too-large`: an entry declares or inflates to more than allowed (a zip bomb);
   * - `duplicate`: two entries share a name;
   * - `missing`: no entry of that name.
   */
  kind: "corrupt" | "unsupported" | "too-large" | "duplicate" | "missing";
  /** The entry at fault, when there is one. */
  entry?: string;
  /** What is wrong, as a sentence fragment without the archive's name. */
  detail: string;
}

/** How {@link ZipReader.open} reads and fails. */
export interface ZipReaderOptions {
  /** Names the archive in errors, e.g. its path. */
  name: string;
  /** Turns a problem into the error to throw. Default: a {@link ZipFormatError}. */
  toError?: (problem: ZipProblem, archive: string) => Error;
  /** Hard cap on any entry's uncompressed size, whatever it declares. Default 2 GiB. */
  maxEntryBytes?: number;
  /** The most bytes that concurrent reads of this archive hold at once. Default 256 MiB. */
  maxConcurrentBytes?: number;
}

/** The default error of {@link ZipReader}: `archive[!entry]: detail`. */
export class ZipFormatError extends Error {
  readonly problem: ZipProblem;
  constructor(problem: ZipProblem, archive: string) {
    super(`${archive}${problem.entry === undefined ? "" : `!${problem.entry}`}: ${problem.detail}`);
    this.name = "ZipFormatError";
    this.problem = problem;
  }
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const SATURATED_32 = 0xffffffff;
// Local headers usually repeat the central extra field; reading this much slack saves a second read.
const LOCAL_SLACK = 64;

/**
 * Whether the bytes start like a zip archive (a local header, or an empty archive's end record).
 *
 * @param bytes - The first bytes of a file.
 * @returns True for `PK\x03\x04` or `PK\x05\x06`.
 */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A read-only zip reader over a {@link RandomAccessSource}: the central directory (zip64
 * aware) is parsed once, entries are read on demand, stored or deflated, and CRC-checked.
 *
 * Hostile archives cost bounded work: an entry inflates into at most its declared size (and
 * never past `maxEntryBytes`), stopping at the first chunk over; concurrent reads share a
 * byte budget; two entries with one name are an error naming both.
 *
 * @example
 * const zip = await ZipReader.open(bytesSource(bytes), { name: "model.pth" });
 * const pkl = await zip.read("archive/data.pkl");
 */
export class ZipReader {
  /** File entries (directories omitted), in central-directory order. */
  readonly entries: readonly ZipEntry[];
  private readonly byName: Map<string, ZipEntry>;
  private readonly budget: ByteBudget;
  private readonly maxEntryBytes: number;
  private readonly toError: (problem: ZipProblem, archive: string) => Error;

  private constructor(
    private readonly source: RandomAccessSource,
    readonly name: string,
    entries: ZipEntry[],
    options: ZipReaderOptions,
  ) {
    this.toError = options.toError ?? ((p, a) => new ZipFormatError(p, a));
    this.maxEntryBytes = options.maxEntryBytes ?? 2 ** 31;
    this.budget = new ByteBudget(options.maxConcurrentBytes ?? 256 * 2 ** 20);
    this.entries = entries;
    this.byName = new Map();
    for (const entry of entries) {
      const first = this.byName.get(entry.name);
      if (first !== undefined) {
        throw this.fail({
          kind: "duplicate",
          entry: entry.name,
          detail: `two entries share this name (at offsets ${first.localHeaderOffset} and ${entry.localHeaderOffset}); an archive must name each file once`,
        });
      }
      this.byName.set(entry.name, entry);
    }
  }

  /**
   * Reads the archive's central directory.
   *
   * @param source - Where the archive's bytes are.
   * @param options - The archive's name for errors, and limits.
   * @returns A reader; {@link ZipReader.close} releases the source.
   * @throws What `options.toError` makes of a malformed directory, a split archive or duplicate names.
   */
  static async open(source: RandomAccessSource, options: ZipReaderOptions): Promise<ZipReader> {
    const entries = await readCentralDirectory(source, (problem) =>
      (options.toError ?? ((p, a) => new ZipFormatError(p, a)))(problem, options.name),
    );
    return new ZipReader(source, options.name, entries, options);
  }

  private fail(problem: ZipProblem): Error {
    return this.toError(problem, this.name);
  }

  /** Whether an entry of this exact name exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The entry of this exact name, if any. */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * The uncompressed bytes of an entry, checked against its declared size and CRC-32. Stored
   * entries of an in-memory source are views of it (no copy).
   *
   * @param entryOrName - An entry of {@link ZipReader.entries}, or its exact name.
   * @returns The entry's bytes.
   * @throws What `options.toError` makes of a missing, encrypted, oversized or corrupt entry.
   */
  async read(entryOrName: ZipEntry | string): Promise<Uint8Array> {
    const entry = typeof entryOrName === "string" ? this.byName.get(entryOrName) : entryOrName;
    if (entry === undefined) {
      throw this.fail({
        kind: "missing",
        entry: entryOrName as string,
        detail: "no entry of this name",
      });
    }
    const fail = (kind: ZipProblem["kind"], detail: string) =>
      this.fail({ kind, entry: entry.name, detail });
    if (entry.flags & 0x1) throw fail("unsupported", "the entry is encrypted");
    if (entry.method !== 0 && entry.method !== 8) {
      throw fail(
        "unsupported",
        `compression method ${entry.method} is not supported (only 0 = stored and 8 = deflate)`,
      );
    }
    if (entry.size > this.maxEntryBytes) {
      throw fail(
        "too-large",
        `declares ${entry.size} bytes uncompressed, above the limit of ${this.maxEntryBytes}`,
      );
    }
    if (entry.method === 0 && entry.compressedSize !== entry.size) {
      throw fail(
        "corrupt",
        `stored entry of ${entry.compressedSize} bytes declares a size of ${entry.size}`,
      );
    }
    // Bound what is allocated by what a real entry could hold: deflate never grows data by
    // more than 5 bytes per 16 KiB block, and nothing runs past the end of the archive.
    if (entry.method === 8 && entry.compressedSize > entry.size + (entry.size >>> 10) + 1024) {
      throw fail(
        "corrupt",
        `declares ${entry.compressedSize} compressed bytes, more than deflate makes of ${entry.size}`,
      );
    }
    if (entry.localHeaderOffset + 30 + entry.compressedSize > this.source.size) {
      throw fail("corrupt", "the entry runs past the end of the file");
    }
    const nameBytes = new TextEncoder().encode(entry.name).length;
    const guess = 30 + nameBytes + LOCAL_SLACK + entry.compressedSize;
    const release = await this.budget.acquire(guess + (entry.method === 8 ? entry.size : 0));
    try {
      let chunk = await this.source.read(entry.localHeaderOffset, guess);
      if (chunk.length < 30 || view(chunk).getUint32(0, true) !== LOCAL_SIG) {
        throw fail("corrupt", `no local file header at offset ${entry.localHeaderOffset}`);
      }
      // The local extra field may differ from the central one (torch pads it for alignment).
      const dataStart = 30 + view(chunk).getUint16(26, true) + view(chunk).getUint16(28, true);
      const dataEnd = dataStart + entry.compressedSize;
      if (dataEnd > chunk.length) {
        chunk = await this.source.read(entry.localHeaderOffset, dataEnd);
        if (dataEnd > chunk.length)
          throw fail("corrupt", "the entry runs past the end of the file");
      }
      const compressed = chunk.subarray(dataStart, dataEnd);
      let data = compressed;
      if (entry.method === 8) {
        try {
          data = await inflateRawBounded(compressed, entry.size);
        } catch (error) {
          if (!(error instanceof InflateError)) throw error;
          throw error.kind === "over-limit"
            ? fail(
                "too-large",
                `inflates past its declared size of ${entry.size} bytes (a zip bomb, or a corrupt directory); reading stopped there`,
              )
            : fail("corrupt", error.message);
        }
      }
      if (data.length !== entry.size) {
        throw fail(
          "corrupt",
          `size mismatch: ${data.length} bytes where the central directory declares ${entry.size}`,
        );
      }
      if (crc32(data) !== entry.crc32) throw fail("corrupt", "CRC mismatch");
      return data;
    } finally {
      release();
    }
  }

  /**
   * Indexes entries by base name (`img_align_celeba/000001.jpg` is `000001.jpg`), for archives
   * whose files are looked up by file name alone. Two entries with one base name are an error
   * naming both, since either could silently stand in for the other.
   *
   * @param keep - Which entries to index, e.g. images only. Default: all.
   * @returns Base name to entry.
   * @throws What `options.toError` makes of a `duplicate` problem.
   */
  indexByBaseName(
    keep: (entry: ZipEntry, baseName: string) => boolean = () => true,
  ): Map<string, ZipEntry> {
    const index = new Map<string, ZipEntry>();
    for (const entry of this.entries) {
      const base = entry.name.slice(entry.name.lastIndexOf("/") + 1);
      if (!keep(entry, base)) continue;
      const first = index.get(base);
      if (first !== undefined) {
        throw this.fail({
          kind: "duplicate",
          entry: entry.name,
          detail: `entries "${first.name}" and "${entry.name}" share the file name "${base}", so either could stand in for the other; remove one of them from the archive`,
        });
      }
      index.set(base, entry);
    }
    return index;
  }

  /** Releases the source (a file handle); the reader cannot read afterwards. */
  async close(): Promise<void> {
    await this.source.close?.();
  }
}

async function readCentralDirectory(
  source: RandomAccessSource,
  fail: (problem: ZipProblem) => Error,
): Promise<ZipEntry[]> {
  const corrupt = (detail: string) => fail({ kind: "corrupt", detail });
  const size = source.size;
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const tailLength = Math.min(size, 22 + 65535);
  const tail = await source.read(size - tailLength, tailLength);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw corrupt("no end-of-central-directory record found (a truncated file, or not a zip)");
  }
  const diskNumber = tv.getUint16(eocd + 4, true);
  let count = tv.getUint16(eocd + 10, true);
  let dirSize = tv.getUint32(eocd + 12, true);
  let dirOffset = tv.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  const hasLocator = locator >= 0 && tv.getUint32(locator, true) === ZIP64_LOCATOR_SIG;
  const saturated = count === 0xffff || dirSize === SATURATED_32 || dirOffset === SATURATED_32;
  if (saturated && !hasLocator) {
    throw corrupt("the archive needs zip64 records but its zip64 locator is missing");
  }
  const u64 = (v: DataView, at: number, what: string): number => {
    const value = v.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} ${value} is too large`);
    return Number(value);
  };
  if (hasLocator) {
    // The zip64 record's 64-bit fields win even when the classic ones are not saturated, as
    // CPython's zipfile writes them.
    const at = u64(tv, locator + 8, "zip64 record offset");
    const record = await source.read(at, 56);
    const rv = view(record);
    if (record.length < 56 || rv.getUint32(0, true) !== ZIP64_EOCD_SIG) {
      throw corrupt(`no zip64 end-of-central-directory record at offset ${at}`);
    }
    count = u64(rv, 32, "entry count");
    dirSize = u64(rv, 40, "central directory size");
    dirOffset = u64(rv, 48, "central directory offset");
  } else if (diskNumber !== 0) {
    throw fail({ kind: "unsupported", detail: "split (multi-disk) archives are not supported" });
  }
  if (dirOffset + dirSize > size) {
    throw corrupt(
      `the central directory (offset ${dirOffset}, ${dirSize} bytes) runs past the end of the file`,
    );
  }
  const cd = await source.read(dirOffset, dirSize);
  const cv = view(cd);
  const utf8 = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL_SIG) {
      throw corrupt(`central directory entry ${i} is malformed (offset ${dirOffset + p})`);
    }
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    const crc = cv.getUint32(p + 16, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let uncompressed = cv.getUint32(p + 24, true);
    const nameLength = cv.getUint16(p + 28, true);
    const extraLength = cv.getUint16(p + 30, true);
    const commentLength = cv.getUint16(p + 32, true);
    let localHeaderOffset = cv.getUint32(p + 42, true);
    const extraStart = p + 46 + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > cd.length) throw corrupt(`central directory entry ${i} runs past the directory`);
    const nameBytes = cd.subarray(p + 46, extraStart);
    // Bit 11 marks UTF-8; otherwise CP437, which equals latin1 for the ASCII names archives use.
    const name = flags & 0x800 ? utf8.decode(nameBytes) : String.fromCharCode(...nameBytes);
    let q = extraStart;
    while (q + 4 <= extraStart + extraLength) {
      const id = cv.getUint16(q, true);
      const len = cv.getUint16(q + 2, true);
      if (q + 4 + len > extraStart + extraLength) {
        throw corrupt(`central directory entry ${i} has an extra field past its end`);
      }
      if (id === 0x0001) {
        // Zip64 extended info holds, in this order, only the fields whose classic value is saturated.
        let r = q + 4;
        const end = r + len;
        const need = (n: number) => {
          if (n > end) throw corrupt(`central directory entry ${i} has a short zip64 field`);
        };
        if (uncompressed === SATURATED_32) {
          need(r + 8);
          uncompressed = u64(cv, r, "entry size");
          r += 8;
        }
        if (compressedSize === SATURATED_32) {
          need(r + 8);
          compressedSize = u64(cv, r, "compressed size");
          r += 8;
        }
        if (localHeaderOffset === SATURATED_32) {
          need(r + 8);
          localHeaderOffset = u64(cv, r, "entry offset");
        }
      }
      q += 4 + len;
    }
    p = next;
    if (name.endsWith("/")) continue;
    entries.push({
      name,
      method,
      compressedSize,
      size: uncompressed,
      crc32: crc,
      localHeaderOffset,
      flags,
    });
  }
  return entries;
}
