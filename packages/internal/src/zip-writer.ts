import { deflateRawSync } from "node:zlib";
import { writeFileAtomic } from "./atomic-write";
import { crc32 } from "./crc32";

/** One file to store in a zip. */
export interface ZipInput {
  name: string;
  data: Uint8Array;
}

/**
 * Writes a zip atomically ({@link writeFileAtomic}). Entries are deflated unless `store` is set;
 * `zip64` forces zip64 records everywhere (extra fields with saturated classic fields, zip64 EOCD and
 * locator) so the reader's zip64 path can be tested on a small file. Node only.
 *
 * @param path - The destination.
 * @param inputs - The files, in order; names are written as UTF-8.
 * @param options - `store`: never deflate; `zip64`: zip64 records even when not needed.
 * @example
 * await writeZip("images.zip", [{ name: "img/000001.jpg", data: jpeg }]);
 */
export async function writeZip(
  path: string,
  inputs: ZipInput[],
  options: { store?: boolean; zip64?: boolean } = {},
): Promise<void> {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // Past 65534 entries the classic EOCD count saturates, so zip64 records become mandatory.
  const zip64 = options.zip64 === true || inputs.length > 0xfffe;
  for (const input of inputs) {
    const name = Buffer.from(input.name, "utf8");
    const deflated = options.store ? undefined : deflateRawSync(input.data);
    const useStore = deflated === undefined || deflated.length >= input.data.length;
    const body = useStore ? Buffer.from(input.data) : deflated;
    const method = useStore ? 0 : 8;
    const crc = crc32(input.data);
    // A fixed DOS timestamp (1980-01-01) keeps the output byte-identical across runs.
    const dosTime = 0;
    const dosDate = (0 << 9) | (1 << 5) | 1;
    const localExtra = zip64 ? zip64Extra([input.data.length, body.length]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : body.length, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : input.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    chunks.push(local, name, localExtra, body);

    const centralExtra = zip64
      ? zip64Extra([input.data.length, body.length, offset])
      : Buffer.alloc(0);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 45, 4);
    entry.writeUInt16LE(zip64 ? 45 : 20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt16LE(dosTime, 12);
    entry.writeUInt16LE(dosDate, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    entry.writeUInt32LE(zip64 ? 0xffffffff : input.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt16LE(centralExtra.length, 30);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    entry.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(entry, name, centralExtra);
    offset += local.length + name.length + localExtra.length + body.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((sum, b) => sum + b.length, 0);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(inputs.length), 24);
    record.writeBigUInt64LE(BigInt(inputs.length), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  const count = zip64 ? 0xffff : inputs.length;
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cdSize, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cdOffset, 16);
  tail.push(eocd);
  await writeFileAtomic(path, Buffer.concat([...chunks, ...central, ...tail]));
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => {
    extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i);
  });
  return extra;
}
