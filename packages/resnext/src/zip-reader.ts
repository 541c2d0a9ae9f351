import { CorruptWeightsError, UnsupportedFormatError } from "./weights-errors";

/** One file of a zip archive, located but not yet read. */
export interface ZipEntry {
  /** The entry's name inside the archive; only ever used as a lookup key, never as a path. */
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
}

// Slice-by-4 tables: four table lookups per 4 bytes instead of one per byte, since a
// 100 MB checkpoint is CRC-checked on every load.
const CRC_TABLES = (() => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (t[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

/**
 * The CRC-32 (zip/PNG polynomial) of some bytes.
 *
 * @param bytes - The data.
 * @returns The checksum as an unsigned 32-bit number.
 */
export function crc32(bytes: Uint8Array): number {
  const t = CRC_TABLES;
  let c = 0xffffffff;
  let i = 0;
  const n4 = bytes.length & ~3;
  for (; i < n4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c =
      t[768 + (c & 0xff)]! ^
      t[512 + ((c >>> 8) & 0xff)]! ^
      t[256 + ((c >>> 16) & 0xff)]! ^
      t[c >>> 24]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Whether the bytes start like a zip archive (a local header or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

/**
 * A minimal, read-only zip reader over an in-memory buffer: central directory (with zip64),
 * stored and deflated entries, CRC checks. It is all `torch.save` archives need.
 */
export class ZipReader {
  readonly entries: Map<string, ZipEntry>;
  private readonly view: DataView;

  /**
   * @param bytes - The whole archive.
   * @param source - Names the file in errors.
   * @throws {CorruptWeightsError} When the directory is missing or inconsistent.
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.entries = this.readDirectory();
  }

  private corrupt(detail: string): CorruptWeightsError {
    return new CorruptWeightsError({ source: this.source, detail: `zip: ${detail}` });
  }

  private u16(o: number): number {
    if (o + 2 > this.bytes.length) throw this.corrupt(`read past the end at ${o}`);
    return this.view.getUint16(o, true);
  }

  private u32(o: number): number {
    if (o + 4 > this.bytes.length) throw this.corrupt(`read past the end at ${o}`);
    return this.view.getUint32(o, true);
  }

  private u64(o: number): number {
    if (o + 8 > this.bytes.length) throw this.corrupt(`read past the end at ${o}`);
    const v = this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`64-bit value ${v} too large`);
    return Number(v);
  }

  private readDirectory(): Map<string, ZipEntry> {
    const b = this.bytes;
    // The end-of-central-directory record sits in the last 22 + up to 65535 comment bytes.
    let eocd = -1;
    for (let o = b.length - 22; o >= Math.max(0, b.length - 22 - 65535); o--) {
      if (b[o] === 0x50 && b[o + 1] === 0x4b && b[o + 2] === 5 && b[o + 3] === 6) {
        eocd = o;
        break;
      }
    }
    if (eocd < 0) throw this.corrupt("no end-of-central-directory record (truncated file?)");
    let count = this.u16(eocd + 10);
    let dirSize = this.u32(eocd + 12);
    let dirOffset = this.u32(eocd + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || this.u32(loc) !== 0x07064b50) throw this.corrupt("zip64 locator missing");
      const rec = this.u64(loc + 8);
      if (this.u32(rec) !== 0x06064b50) throw this.corrupt("zip64 end record missing");
      count = this.u64(rec + 32);
      dirSize = this.u64(rec + 40);
      dirOffset = this.u64(rec + 48);
    }
    if (dirOffset + dirSize > b.length) throw this.corrupt("central directory past end of file");
    const entries = new Map<string, ZipEntry>();
    const decoder = new TextDecoder();
    let o = dirOffset;
    for (let i = 0; i < count; i++) {
      if (this.u32(o) !== 0x02014b50) throw this.corrupt(`bad central directory entry ${i}`);
      const method = this.u16(o + 10);
      const crc = this.u32(o + 16);
      let compressedSize = this.u32(o + 20);
      let size = this.u32(o + 24);
      const nameLen = this.u16(o + 28);
      const extraLen = this.u16(o + 30);
      const commentLen = this.u16(o + 32);
      let localHeaderOffset = this.u32(o + 42);
      if (o + 46 + nameLen > b.length) throw this.corrupt(`entry ${i} name past end of file`);
      const name = decoder.decode(b.subarray(o + 46, o + 46 + nameLen));
      // Zip64 sizes/offset live in extra field 0x0001, only for fields set to 0xffffffff.
      let e = o + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = this.u16(e);
        const len = this.u16(e + 2);
        if (id === 1) {
          let p = e + 4;
          if (size === 0xffffffff) {
            size = this.u64(p);
            p += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = this.u64(p);
            p += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = this.u64(p);
        }
        e += 4 + len;
      }
      entries.set(name, { name, method, compressedSize, size, crc32: crc, localHeaderOffset });
      o = eEnd + commentLen;
    }
    return entries;
  }

  /**
   * The uncompressed bytes of an entry, CRC-checked. Stored entries are views of the archive
   * buffer (no copy).
   *
   * @param name - Exact entry name.
   * @returns The entry's bytes.
   * @throws {CorruptWeightsError} For a missing entry, bad header or CRC mismatch.
   * @throws {UnsupportedFormatError} For compression methods other than stored/deflate.
   */
  async read(name: string): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw this.corrupt(`entry "${name}" is missing`);
    const o = entry.localHeaderOffset;
    if (this.u32(o) !== 0x04034b50) throw this.corrupt(`bad local header for "${name}"`);
    // The local extra field may differ from the central one (torch pads it for alignment).
    const start = o + 30 + this.u16(o + 26) + this.u16(o + 28);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw this.corrupt(`entry "${name}" runs past the end of file`);
    const raw = this.bytes.subarray(start, end);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8)
      data = await inflateRaw(raw, () => this.corrupt(`cannot inflate "${name}"`));
    else {
      throw new UnsupportedFormatError({
        source: this.source,
        firstBytes: "",
        detail: `zip entry "${name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`,
      });
    }
    if (data.length !== entry.size) {
      throw this.corrupt(`entry "${name}" has ${data.length} bytes, expected ${entry.size}`);
    }
    if (crc32(data) !== entry.crc32) throw this.corrupt(`CRC mismatch in entry "${name}"`);
    return data;
  }
}

async function inflateRaw(raw: Uint8Array, fail: () => Error): Promise<Uint8Array> {
  try {
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw fail();
  }
}
