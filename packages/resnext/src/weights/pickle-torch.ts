import { CorruptWeightsError, UnsupportedFormatError } from "../weights-errors";
import { type PickleBuildable, PickleCallable } from "./pickle-callable";
import { numel, STATE_DTYPE_BYTES, type StateDict, type StateDtype } from "./state-dict";
import { decodeElements, gatherStrided, isContiguous, viewExtent } from "./state-dict-decode";

/** PyTorch's legacy typed-storage class names and the dtypes they hold. */
const STORAGE_DTYPES: Readonly<Record<string, StateDtype>> = {
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
  // Untyped storages hold bytes; a tensor on one names its dtype (_rebuild_tensor_v3).
  UntypedStorage: "uint8",
};

/** `torch.<name>` dtype objects, as pickled for `_rebuild_tensor_v3`. */
const TORCH_DTYPES: Readonly<Record<string, StateDtype>> = {
  float32: "float32",
  float: "float32",
  float16: "float16",
  half: "float16",
  bfloat16: "bfloat16",
  float64: "float64",
  double: "float64",
  int64: "int64",
  long: "int64",
  int32: "int32",
  int: "int32",
  int16: "int16",
  short: "int16",
  int8: "int8",
  uint8: "uint8",
  bool: "bool",
};

/** Storage types and dtypes PyTorch has that a StateTensor cannot hold. */
const UNSUPPORTED_STORAGES = /^(Complex\w*|QU?Int\w*|Float8\w*|UInt(16|32|64))Storage$/;

class StorageType {
  constructor(readonly dtype: StateDtype) {}
}

class TorchDtype {
  constructor(readonly dtype: StateDtype) {}
}

/** A storage named by a persistent id; its bytes arrive later (legacy) or at once (zip). */
export class TorchStorage {
  bytes: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly dtype: StateDtype,
    readonly numel: number,
    /** For legacy storage views: the root storage and this view's element offset in it. */
    readonly root?: { storage: TorchStorage; offset: number },
  ) {}
}

/** A tensor as the pickle describes it: a strided view of a storage. */
export class LazyTensor implements PickleBuildable {
  constructor(
    readonly storage: TorchStorage,
    readonly dtype: StateDtype,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}

  /** Parameter/tensor `__setstate__` carries Python attributes only, never weights. */
  pickleBuild(_state: unknown): void {}
}

function asIntList(x: unknown, what: string): number[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === "number" && Number.isSafeInteger(v))) {
    throw new Error(`${what} must be a tuple of ints`);
  }
  return x as number[];
}

function asStorage(x: unknown, what: string): TorchStorage {
  if (!(x instanceof TorchStorage)) throw new Error(`${what} must be a storage`);
  return x;
}

function asTensor(x: unknown, what: string): LazyTensor {
  if (!(x instanceof LazyTensor)) throw new Error(`${what} must be a tensor`);
  return x;
}

function rebuildTensor(args: unknown[], dtype?: StateDtype): LazyTensor {
  const storage = asStorage(args[0], "_rebuild_tensor storage");
  const offset = args[1];
  if (typeof offset !== "number") throw new Error("_rebuild_tensor storage_offset must be an int");
  return new LazyTensor(
    storage,
    dtype ?? storage.dtype,
    offset,
    asIntList(args[2], "_rebuild_tensor size"),
    asIntList(args[3], "_rebuild_tensor stride"),
  );
}

function marker(module: string, name: string): PickleCallable {
  return new PickleCallable(module, name, () => {
    throw new Error(`${module}.${name} cannot be called here`);
  });
}

/**
 * Resolve a Python global against the allowlist, which mirrors
 * `torch.load(weights_only=True)`: tensors, parameters, storages, dtypes, `torch.Size`,
 * `OrderedDict` and `_codecs.encode` (how protocol 2 pickles bytes). Every callable is a
 * pure function that builds data; anything else returns `undefined` and is refused.
 *
 * @param module - The module as written in the pickle (e.g. `"torch._utils"`).
 * @param name - The attribute name (e.g. `"_rebuild_tensor_v2"`).
 * @param source - Names the file in errors about unsupported dtypes.
 * @returns The callable, or `undefined` when the global is not allowed.
 */
export function resolveTorchGlobal(
  module: string,
  name: string,
  source = "<bytes>",
): PickleCallable | undefined {
  // torch 1.x pickles name `torch.tensor`; it was renamed to `torch._tensor` (pytorch#51633).
  const mod = module === "torch.tensor" ? "torch._tensor" : module;
  const key = `${mod}.${name}`;
  switch (key) {
    case "collections.OrderedDict":
      return new PickleCallable(mod, name, (args) => {
        const d = new Map<unknown, unknown>();
        const items = args[0];
        if (Array.isArray(items)) {
          for (const pair of items) if (Array.isArray(pair)) d.set(pair[0], pair[1]);
        }
        return d;
      });
    case "builtins.set":
    case "builtins.frozenset":
    case "__builtin__.set":
    case "__builtin__.frozenset":
      return new PickleCallable(
        mod,
        name,
        (args) => new Set(Array.isArray(args[0]) ? args[0] : []),
      );
    case "_codecs.encode":
      return new PickleCallable(mod, name, (args) => {
        const [text, encoding] = args;
        if (typeof text !== "string") throw new Error("_codecs.encode needs a str");
        if (encoding === "latin1" || encoding === "latin-1") {
          return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
        }
        return new TextEncoder().encode(text);
      });
    case "torch._utils._rebuild_tensor":
    case "torch._utils._rebuild_tensor_v2":
      return new PickleCallable(mod, name, (args) => rebuildTensor(args));
    case "torch._utils._rebuild_tensor_v3":
      return new PickleCallable(mod, name, (args) => {
        const dt = args[6];
        if (!(dt instanceof TorchDtype))
          throw new Error("_rebuild_tensor_v3 dtype must be a torch dtype");
        return rebuildTensor(args, dt.dtype);
      });
    case "torch._utils._rebuild_parameter":
    case "torch._utils._rebuild_parameter_with_state":
      return new PickleCallable(mod, name, (args) => asTensor(args[0], `${name} data`));
    case "torch._tensor._rebuild_from_type_v2":
      return new PickleCallable(mod, name, (args) => {
        const [fn, _type, fnArgs] = args;
        if (!(fn instanceof PickleCallable) || !Array.isArray(fnArgs)) {
          throw new Error("_rebuild_from_type_v2 needs an allowed function and its arguments");
        }
        return fn.call(fnArgs);
      });
    case "torch.Size":
      return new PickleCallable(mod, name, (args) => asIntList(args[0] ?? [], "torch.Size"));
    case "torch.Tensor":
    case "torch._tensor.Tensor":
    case "torch.nn.parameter.Parameter":
      return marker(mod, name);
    case "torch.device":
      return new PickleCallable(mod, name, (args) => String(args[0]));
  }
  if (mod === "torch" && name in TORCH_DTYPES) {
    const dt = new TorchDtype(TORCH_DTYPES[name]!);
    return new PickleCallable(mod, name, () => dt);
  }
  if ((mod === "torch" || mod === "torch.cuda") && name.endsWith("Storage")) {
    const dtype = STORAGE_DTYPES[name];
    if (dtype !== undefined) {
      const st = new StorageType(dtype);
      return new PickleCallable(mod, name, () => st);
    }
    if (UNSUPPORTED_STORAGES.test(name)) {
      // Safe but not representable: resolve, then fail clearly when a tensor uses it.
      return new PickleCallable(mod, name, () => {
        throw new UnsupportedFormatError({
          source,
          firstBytes: "",
          detail:
            `${mod}.${name} tensors are not supported (supported: float32, float16, bfloat16, ` +
            "float64, int64, int32, int16, int8, uint8, bool); convert them in Python first",
        });
      });
    }
  }
  return undefined;
}

/** The StorageType marker an allowlisted `torch.*Storage` global stands for. */
export function storageTypeOf(x: unknown): StateDtype | undefined {
  if (x instanceof PickleCallable) {
    const v = x.call([]);
    if (v instanceof StorageType) return v.dtype;
  }
  return undefined;
}

/**
 * Decode a persistent id `('storage', storage_type, key, location, numel[, view_metadata])`.
 */
export function parseStoragePid(pid: unknown): {
  dtype: StateDtype;
  key: string;
  numel: number;
  view: { key: string; offset: number; size: number } | undefined;
} {
  const text = (x: unknown): string =>
    typeof x === "string" ? x : x instanceof Uint8Array ? new TextDecoder().decode(x) : "";
  if (!Array.isArray(pid) || text(pid[0]) !== "storage" || pid.length < 5) {
    throw new Error(`unknown persistent id ${JSON.stringify(String(pid)).slice(0, 80)}`);
  }
  const dtype = storageTypeOf(pid[1]);
  if (dtype === undefined) throw new Error("persistent id names no storage type");
  const key = text(pid[2]);
  const n = pid[4];
  if (key === "" || typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error("persistent id has a bad storage key or size");
  }
  const vm = pid[5];
  let view: { key: string; offset: number; size: number } | undefined;
  if (Array.isArray(vm)) {
    const [vk, off, size] = vm;
    if (typeof off !== "number" || typeof size !== "number") throw new Error("bad storage view");
    view = { key: text(vk), offset: off, size };
  }
  return { dtype, key, numel: n, view };
}

function isTensorDict(x: unknown): x is Map<unknown, LazyTensor> {
  if (!(x instanceof Map)) return false;
  for (const [k, v] of x) if (typeof k !== "string" || !(v instanceof LazyTensor)) return false;
  return true;
}

/**
 * The keys under which training scripts commonly nest the state dict, tried in this order
 * when the top-level object is not itself a dict of tensors.
 */
export const CHECKPOINT_KEYS = [
  "state_dict",
  "model_state_dict",
  "model",
  "module",
  "net",
  "network",
  "params",
  "weights",
] as const;

/**
 * Find the state dict in an unpickled checkpoint: the object itself if it is a dict of
 * tensors, else the first of {@link CHECKPOINT_KEYS} holding one (searched up to 3 levels).
 */
export function findTensorDict(
  obj: unknown,
  source: string,
): { dict: Map<string, LazyTensor>; path: string[] } {
  const search = (
    x: unknown,
    depth: number,
    path: string[],
  ): ReturnType<typeof findTensorDict> | undefined => {
    if (isTensorDict(x)) return { dict: x as Map<string, LazyTensor>, path };
    if (!(x instanceof Map) || depth >= 3) return undefined;
    for (const k of CHECKPOINT_KEYS) {
      if (x.has(k)) {
        const found = search(x.get(k), depth + 1, [...path, k]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = search(obj, 0, []);
  if (found) return found;
  const describe =
    obj instanceof Map
      ? `a dict with keys [${[...obj.keys()]
          .slice(0, 12)
          .map((k) => JSON.stringify(String(k)))
          .join(", ")}]`
      : Array.isArray(obj)
        ? `a list/tuple of ${obj.length} items`
        : `a ${obj === null ? "None" : typeof obj}`;
  throw new UnsupportedFormatError({
    source,
    firstBytes: "",
    detail:
      `the checkpoint holds ${describe}, not a state dict (a dict of tensor names to tensors) ` +
      `nor one under the keys ${CHECKPOINT_KEYS.join(", ")}. ` +
      "Save it with torch.save(model.state_dict(), path).",
  });
}

/**
 * Remove the `module.` prefix `nn.DataParallel`/`DistributedDataParallel` adds, when every
 * key has it (a partial prefix is left alone, since it would then be a real submodule name).
 */
export function stripModulePrefix<T>(dict: Map<string, T>): Map<string, T> {
  if (dict.size === 0) return dict;
  for (const k of dict.keys()) if (!k.startsWith("module.")) return dict;
  return new Map([...dict].map(([k, v]) => [k.slice("module.".length), v]));
}

/**
 * Copy each lazy tensor out of its (now loaded) storage into contiguous row-major data.
 *
 * @param dict - Names to lazy tensors, in file order.
 * @param littleEndian - Byte order of the storages.
 * @param source - Names the file in errors.
 * @returns The state dict.
 * @throws {CorruptWeightsError} When a view reaches past its storage.
 */
export function materializeTensors(
  dict: Map<string, LazyTensor>,
  littleEndian: boolean,
  source: string,
): StateDict {
  const out: StateDict = new Map();
  for (const [name, t] of dict) {
    const bad = (detail: string): CorruptWeightsError =>
      new CorruptWeightsError({ source, detail: `tensor "${name}": ${detail}` });
    let storage = t.storage;
    let extraOffset = 0;
    if (storage.root) {
      extraOffset = storage.root.offset;
      storage = storage.root.storage;
    }
    const bytes = storage.bytes;
    if (bytes === undefined) throw bad(`storage ${storage.key} has no data`);
    const width = STATE_DTYPE_BYTES[t.dtype];
    const storageElems = Math.floor(bytes.length / width);
    const view = { storageOffset: t.storageOffset + extraOffset, shape: t.shape, stride: t.stride };
    let extent: ReturnType<typeof viewExtent>;
    try {
      extent = viewExtent(view);
    } catch (e) {
      throw bad((e as Error).message);
    }
    let data: ReturnType<typeof decodeElements>;
    if (extent === undefined) {
      data = decodeElements(bytes, 0, 0, t.dtype, littleEndian);
    } else {
      if (extent.last >= storageElems) {
        throw bad(
          `view (offset ${view.storageOffset}, shape [${t.shape}], stride [${t.stride}]) reaches element ` +
            `${extent.last} of storage ${storage.key}, which has ${storageElems} ${t.dtype} elements`,
        );
      }
      if (isContiguous(t.shape, t.stride)) {
        data = decodeElements(bytes, extent.first * width, numel(t.shape), t.dtype, littleEndian);
      } else {
        const span = extent.last - extent.first + 1;
        const src = decodeElements(bytes, extent.first * width, span, t.dtype, littleEndian);
        data = gatherStrided(src, extent.first, view, t.dtype);
      }
    }
    out.set(name, { dtype: t.dtype, shape: [...t.shape], data });
  }
  return out;
}
