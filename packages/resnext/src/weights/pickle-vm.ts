import { ResnextError } from "../errors";
import {
  CorruptWeightsError,
  hexPrefix,
  UnsafePickleError,
  UnsupportedFormatError,
} from "../weights-errors";

/**
 * A Python global that the caller's allowlist resolved to a pure JavaScript function.
 * Pickles can only ever call these: there is no path from the file to `eval`, `require`,
 * the filesystem or any other code.
 */
export class PickleCallable {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

/** An object that accepts pickle's BUILD opcode (`__setstate__`). */
export interface PickleBuildable {
  pickleBuild(state: unknown): void;
}

/** How the VM resolves globals and persistent ids. */
export interface PickleOptions {
  /** Names the file in error messages. */
  source: string;
  /** The allowlist: return a callable for an allowed global, `undefined` to refuse it. */
  resolveGlobal: (module: string, name: string) => PickleCallable | undefined;
  /** Handles BINPERSID/PERSID (PyTorch's storages); absent means persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

function isBuildable(x: unknown): x is PickleBuildable {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Partial<PickleBuildable>).pickleBuild === "function"
  );
}

/** Decode a little-endian two's-complement integer (LONG1/LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

/**
 * Run a pickle program with a safe virtual machine: it builds plain values (null, boolean,
 * number/bigint, string, Uint8Array, arrays for lists and tuples, Map for dicts, Set) and
 * calls only the callables the allowlist returns. Globals outside it raise
 * {@link UnsafePickleError}; extension codes and out-of-band buffers are refused too.
 *
 * @param bytes - The buffer holding the pickle.
 * @param start - Offset of the pickle's first opcode (legacy PyTorch files hold several).
 * @param options - Allowlist, persistent-id handler and source name.
 * @returns The unpickled value and the offset just past its STOP opcode.
 * @throws {UnsafePickleError} For a global outside the allowlist.
 * @throws {CorruptWeightsError} For truncated or malformed streams.
 * @throws {UnsupportedFormatError} For opcodes this VM does not implement.
 */
export function unpickle(
  bytes: Uint8Array,
  start: number,
  options: PickleOptions,
): { value: unknown; end: number } {
  const { source } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let opStart = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const corrupt = (detail: string): CorruptWeightsError =>
    new CorruptWeightsError({ source, detail: `pickle offset ${opStart}: ${detail}` });

  const need = (n: number): void => {
    if (n < 0 || pos + n > bytes.length) {
      throw corrupt(`needs ${n} more bytes but the file ends at ${bytes.length}`);
    }
  };
  const readBytes = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`length ${v} is too large`);
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw corrupt("unterminated text line");
    const s = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const utf8 = (b: Uint8Array): string => {
    try {
      return textDecoder.decode(b);
    } catch {
      throw corrupt("string is not valid UTF-8");
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw corrupt("stack underflow");
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw corrupt("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) throw corrupt("MARK expected but not found");
    stack = prev;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw corrupt(`memo key ${i} is not defined`);
    return memo.get(i);
  };
  const memoPut = (i: number): void => {
    memo.set(i, top());
  };
  const resolve = (module: string, name: string): PickleCallable => {
    const fn = options.resolveGlobal(module, name);
    if (fn === undefined) {
      throw new UnsafePickleError({ module, qualname: name, source, offset: opStart });
    }
    return fn;
  };
  const callable = (f: unknown, what: string): PickleCallable => {
    if (f instanceof PickleCallable) return f;
    throw corrupt(`${what} on a value that is not a callable global`);
  };
  const asDict = (d: unknown, what: string): Map<unknown, unknown> => {
    if (d instanceof Map) return d;
    throw corrupt(`${what} on a value that is not a dict`);
  };
  const asList = (l: unknown, what: string): unknown[] => {
    if (Array.isArray(l)) return l;
    throw corrupt(`${what} on a value that is not a list`);
  };
  const setItems = (d: Map<unknown, unknown>, items: unknown[]): void => {
    if (items.length % 2 !== 0) throw corrupt("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  // Allowlisted builders throw plain Errors for malformed arguments; name the offset.
  const invoke = (label: string, fn: () => unknown): unknown => {
    try {
      return fn();
    } catch (e) {
      if (ResnextError.isInstance(e)) throw e;
      throw corrupt(`${label}: ${(e as Error).message}`);
    }
  };
  const persistent = (pid: unknown): unknown => {
    if (options.persistentLoad === undefined) {
      throw new UnsafePickleError({
        module: "<persistent_load>",
        qualname: String(pid),
        source,
        offset: opStart,
      });
    }
    const load = options.persistentLoad;
    return invoke("persistent id", () => load(pid));
  };

  for (;;) {
    opStart = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw corrupt("pickle protocol above 5");
        break;
      case 0x95: // FRAME: framing is only a read-ahead hint
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT (text); "01"/"00" are protocol 0's booleans
        const s = line().trim();
        if (s === "01") stack.push(true);
        else if (s === "00") stack.push(false);
        else stack.push(decodeTextInt(s, corrupt));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(decodeTextInt(line().trim().replace(/L$/, ""), corrupt));
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(readBytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(decodeLong(readBytes(u32())));
        break;
      case 0x46: {
        // FLOAT (text)
        const v = Number(line().trim());
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x53: // STRING (text repr)
        stack.push(decodePythonStringRepr(line().trim(), corrupt));
        break;
      case 0x54: // BINSTRING: Python 2 str, decoded as latin-1 like pickle's encoding="latin1"
        stack.push(latin1(readBytes(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(readBytes(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(readBytes(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(readBytes(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(readBytes(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(readBytes(u64()).slice());
        break;
      case 0x56: // UNICODE (raw-unicode-escape line)
        stack.push(
          line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, b?: string) =>
            String.fromCodePoint(Number.parseInt((a ?? b)!, 16)),
          ),
        );
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(readBytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(readBytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(readBytes(u64())));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: {
        // TUPLE (popMark swaps `stack`, so pop before pushing)
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        asList(top(), "APPEND").push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        asList(top(), "APPENDS").push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map<unknown, unknown>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        asDict(top(), "SETITEM").set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(asDict(top(), "SETITEMS"), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw corrupt("ADDITEMS on a value that is not a set");
        for (const x of items) s.add(x);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(new Set(items));
        break;
      }
      case 0x70: // PUT (text)
        memoPut(decodeMemoIndex(line(), corrupt));
        break;
      case 0x71: // BINPUT
        memoPut(u8());
        break;
      case 0x72: // LONG_BINPUT
        memoPut(u32());
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x67: // GET (text)
        stack.push(memoGet(decodeMemoIndex(line(), corrupt)));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(resolve(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw corrupt("STACK_GLOBAL needs two strings");
        }
        stack.push(resolve(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const f = callable(pop(), "REDUCE");
        if (!Array.isArray(args)) throw corrupt(`REDUCE of ${f.module}.${f.name} without a tuple`);
        stack.push(invoke(`${f.module}.${f.name}`, () => f.call(args)));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = callable(pop(), "NEWOBJ");
        if (!Array.isArray(args))
          throw corrupt(`NEWOBJ of ${cls.module}.${cls.name} without a tuple`);
        stack.push(invoke(`${cls.module}.${cls.name}`, () => cls.call(args)));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = callable(pop(), "NEWOBJ_EX");
        if (!Array.isArray(args) || !(kwargs instanceof Map) || kwargs.size > 0) {
          throw corrupt(`NEWOBJ_EX of ${cls.module}.${cls.name} with keyword arguments`);
        }
        stack.push(invoke(`${cls.module}.${cls.name}`, () => cls.call(args)));
        break;
      }
      case 0x69: {
        // INST: the class goes through the same allowlist as GLOBAL
        const module = line();
        const name = line();
        const cls = resolve(module, name);
        const args = popMark();
        stack.push(invoke(`${module}.${name}`, () => cls.call(args)));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = callable(items.shift(), "OBJ");
        stack.push(invoke(`${cls.module}.${cls.name}`, () => cls.call(items)));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (isBuildable(obj)) obj.pickleBuild(state);
        else if (obj instanceof Map) {
          // An OrderedDict's instance attributes (torch's `_metadata`) carry no weights.
        } else {
          throw corrupt(`BUILD (__setstate__) on an unsupported value of type ${typeof obj}`);
        }
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID
        stack.push(persistent(line()));
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: {
        // EXT4: the copyreg extension registry can name any global
        const code = op === 0x82 ? u8() : op === 0x83 ? u16() : u32();
        throw new UnsafePickleError({
          module: "copyreg extension",
          qualname: String(code),
          source,
          offset: opStart,
        });
      }
      default:
        throw new UnsupportedFormatError({
          source,
          firstBytes: hexPrefix(bytes),
          detail:
            `pickle opcode 0x${op.toString(16).padStart(2, "0")} at offset ${opStart} is not ` +
            "supported by this reader (out-of-band buffers or an unknown protocol). " +
            "Re-save the weights with torch.save(model.state_dict(), path) or as .safetensors.",
        });
    }
  }
}

function decodeTextInt(s: string, corrupt: (d: string) => CorruptWeightsError): number | bigint {
  if (!/^[-+]?\d+$/.test(s)) throw corrupt(`bad integer literal ${JSON.stringify(s)}`);
  const v = BigInt(s);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

function decodeMemoIndex(s: string, corrupt: (d: string) => CorruptWeightsError): number {
  const v = decodeTextInt(s.trim(), corrupt);
  if (typeof v !== "number" || v < 0) throw corrupt(`bad memo index ${s}`);
  return v;
}

/** Decode protocol 0's `STRING` argument, a Python 2 `repr` of a byte string. */
function decodePythonStringRepr(s: string, corrupt: (d: string) => CorruptWeightsError): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) {
    throw corrupt(`bad STRING literal ${s.slice(0, 40)}`);
  }
  const body = s.slice(1, -1);
  const simple: Record<string, string> = {
    n: "\n",
    r: "\r",
    t: "\t",
    "\\": "\\",
    "'": "'",
    '"': '"',
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === "x") return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return simple[e] ?? `\\${e}`;
  });
}
