import { CorruptWeightsError, hexPrefix, UnsupportedFormatError } from "../weights-errors";
import {
  findTensorDict,
  materializeTensors,
  parseStoragePid,
  resolveTorchGlobal,
  stripModulePrefix,
  TorchStorage,
} from "./pickle-torch";
import { unpickle } from "./pickle-vm";
import { STATE_DTYPE_BYTES, type StateDict } from "./state-dict";
import { openWeightsZip } from "./weights-zip";

/**
 * Read a `torch.save` zip archive (torch >= 1.6): `<prefix>/data.pkl` plus one stored entry
 * `<prefix>/data/<key>` per storage, and since torch 2.1 a `<prefix>/byteorder` record.
 *
 * @param bytes - The whole archive.
 * @param source - Names the file in errors.
 * @returns The state dict, unwrapped from common checkpoint keys, `module.` stripped.
 */
export async function readTorchZip(bytes: Uint8Array, source: string): Promise<StateDict> {
  const zip = await openWeightsZip(bytes, source);
  const entryNames = zip.entries.map((e) => e.name);
  // Every record of a torch archive shares one top-level folder, named after the file by
  // torch.save (commonly "archive"); find it through data.pkl rather than assuming it.
  const pkls = entryNames.filter((n) => /^[^/]*\/?data\.pkl$/.test(n));
  if (pkls.length !== 1) {
    const names = entryNames.slice(0, 8).join(", ");
    throw new UnsupportedFormatError({
      source,
      firstBytes: hexPrefix(bytes),
      detail:
        pkls.length === 0
          ? `zip archive without a data.pkl record (entries: ${names}), so not a torch.save file`
          : `zip archive with ${pkls.length} data.pkl records`,
    });
  }
  const prefix = pkls[0]!.slice(0, -"data.pkl".length);
  const isTorchScript = entryNames.some(
    (n) => n === `${prefix}constants.pkl` || n.startsWith(`${prefix}code/`),
  );
  if (isTorchScript) {
    throw new UnsupportedFormatError({
      source,
      firstBytes: hexPrefix(bytes),
      detail:
        "this is a TorchScript archive (torch.jit.save); load it in Python and save " +
        "`torch.save(model.state_dict(), path)` instead",
    });
  }
  let littleEndian = true;
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(await zip.read(`${prefix}byteorder`)).trim();
    if (order !== "little" && order !== "big") {
      throw new CorruptWeightsError({
        source,
        detail: `byteorder record is "${order.slice(0, 20)}"`,
      });
    }
    littleEndian = order === "little";
  }
  const storages = new Map<string, TorchStorage>();
  const pkl = await zip.read(`${prefix}data.pkl`);
  const { value } = unpickle(pkl, 0, {
    source,
    resolveGlobal: (m, n) => resolveTorchGlobal(m, n, source),
    persistentLoad: (pid) => {
      const p = parseStoragePid(pid);
      let s = storages.get(p.key);
      if (s === undefined) {
        s = new TorchStorage(p.key, p.dtype, p.numel);
        storages.set(p.key, s);
      }
      return s;
    },
  });
  const { dict } = findTensorDict(value, source);
  for (const t of dict.values()) {
    const s = t.storage;
    if (s.bytes !== undefined) continue;
    const name = `${prefix}data/${s.key}`;
    if (!zip.has(name)) {
      throw new CorruptWeightsError({ source, detail: `storage record "${name}" is missing` });
    }
    s.bytes = await zip.read(name);
    const expected = s.numel * STATE_DTYPE_BYTES[s.dtype];
    if (s.bytes.length < expected) {
      throw new CorruptWeightsError({
        source,
        detail: `storage "${name}" has ${s.bytes.length} bytes, expected ${expected}`,
      });
    }
  }
  return materializeTensors(stripModulePrefix(dict), littleEndian, source);
}

/** `torch.serialization.MAGIC_NUMBER`, the first pickle of a legacy file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/**
 * Whether the bytes start like a legacy `torch.save` file: a first pickle (any protocol
 * from 2) whose value is PyTorch's magic number.
 */
export function looksLikeLegacyTorch(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x80 || bytes[1] === undefined || bytes[1] < 2 || bytes[1] > 5) return false;
  try {
    // The magic pickle is a lone integer; the VM refuses any global it might hold.
    const head = bytes.subarray(0, Math.min(bytes.length, 64));
    return unpickle(head, 0, { source: "", resolveGlobal: () => undefined }).value === LEGACY_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Read a legacy `torch.save` file (torch < 1.6, or `_use_new_zipfile_serialization=False`):
 * magic-number pickle, protocol-version pickle, sys_info pickle, the object pickle with
 * storage persistent ids, a pickle of the storage keys, then each storage as an 8-byte
 * little-endian element count followed by its raw bytes. PyTorch writes those bytes
 * little-endian whatever `sys_info.little_endian` says, and reads them back the same way.
 *
 * @param bytes - The whole file.
 * @param source - Names the file in errors.
 * @returns The state dict, unwrapped from common checkpoint keys, `module.` stripped.
 */
export async function readTorchLegacy(bytes: Uint8Array, source: string): Promise<StateDict> {
  const plain = { source, resolveGlobal: () => undefined };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) {
    throw new UnsupportedFormatError({
      source,
      firstBytes: hexPrefix(bytes),
      detail: "pickle file without PyTorch's magic number, so not a torch.save file",
    });
  }
  const version = unpickle(bytes, magic.end, plain);
  if (version.value !== 1001) {
    throw new UnsupportedFormatError({
      source,
      firstBytes: hexPrefix(bytes),
      detail: `legacy torch protocol version ${String(version.value)}; only 1001 is known`,
    });
  }
  // sys_info (byte order, C type sizes) does not change how PyTorch reads storages.
  const sysInfoEnd = unpickle(bytes, version.end, plain).end;
  const storages = new Map<string, TorchStorage>();
  const main = unpickle(bytes, sysInfoEnd, {
    source,
    resolveGlobal: (m, n) => resolveTorchGlobal(m, n, source),
    persistentLoad: (pid) => {
      const p = parseStoragePid(pid);
      let root = storages.get(p.key);
      if (root === undefined) {
        root = new TorchStorage(p.key, p.dtype, p.numel);
        storages.set(p.key, root);
      }
      if (p.view === undefined) return root;
      let v = storages.get(p.view.key);
      if (v === undefined) {
        v = new TorchStorage(p.view.key, p.dtype, p.view.size, {
          storage: root,
          offset: p.view.offset,
        });
        storages.set(p.view.key, v);
      }
      return v;
    },
  });
  const keys = unpickle(bytes, main.end, plain);
  if (!Array.isArray(keys.value)) {
    throw new CorruptWeightsError({ source, detail: "the storage key list is not a list" });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const k of keys.value) {
    const key = typeof k === "string" ? k : String(k);
    const s = storages.get(key);
    if (s === undefined) {
      throw new CorruptWeightsError({ source, detail: `storage key ${key} was never referenced` });
    }
    if (pos + 8 > bytes.length) {
      throw new CorruptWeightsError({ source, detail: `storage ${key} header at ${pos} past end` });
    }
    const count = Number(view.getBigInt64(pos, true));
    const nbytes = count * STATE_DTYPE_BYTES[s.dtype];
    if (count !== s.numel || pos + 8 + nbytes > bytes.length) {
      throw new CorruptWeightsError({
        source,
        detail: `storage ${key} at ${pos}: ${count} elements recorded, ${s.numel} expected, ${bytes.length - pos - 8} bytes left`,
      });
    }
    s.bytes = bytes.subarray(pos + 8, pos + 8 + nbytes);
    pos += 8 + nbytes;
  }
  const { dict } = findTensorDict(main.value, source);
  return materializeTensors(stripModulePrefix(dict), true, source);
}
