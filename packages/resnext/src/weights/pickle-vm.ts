import { ResnextError } from "../errors";
import { hexPrefix, UnsafePickleError, UnsupportedFormatError } from "../weights-errors";
import { isBuildable, PickleCallable, type PickleOptions } from "./pickle-callable";
import {
  decodeLong,
  decodeMemoIndex,
  decodePythonStringRepr,
  decodeTextInt,
  latin1,
  PickleReader,
} from "./pickle-reader";
import { PickleStack } from "./pickle-stack";

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
  const reader = new PickleReader(bytes, start, source);
  const { corrupt, readBytes, u8, u16, u32, u64, line, utf8 } = reader;
  const { push, pop, top, mark, popMark, popTopOrMark, memoGet, memoPut, memoSize } =
    new PickleStack(corrupt);
  const resolve = (module: string, name: string): PickleCallable => {
    const fn = options.resolveGlobal(module, name);
    if (fn === undefined) {
      throw new UnsafePickleError({ module, qualname: name, source, offset: reader.opStart });
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
        offset: reader.opStart,
      });
    }
    const load = options.persistentLoad;
    return invoke("persistent id", () => load(pid));
  };

  for (;;) {
    reader.startOp();
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw corrupt("pickle protocol above 5");
        break;
      case 0x95: // FRAME: framing is only a read-ahead hint
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: reader.pos };
      case 0x28: // MARK
        mark();
        break;
      case 0x30: // POP
        popTopOrMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x49: {
        // INT (text); "01"/"00" are protocol 0's booleans
        const s = line().trim();
        if (s === "01") push(true);
        else if (s === "00") push(false);
        else push(decodeTextInt(s, corrupt));
        break;
      }
      case 0x4c: // LONG (text)
        push(decodeTextInt(line().trim().replace(/L$/, ""), corrupt));
        break;
      case 0x4a: // BININT
        push(reader.i32());
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: // LONG1
        push(decodeLong(readBytes(u8())));
        break;
      case 0x8b: // LONG4
        push(decodeLong(readBytes(u32())));
        break;
      case 0x46: {
        // FLOAT (text)
        const v = Number(line().trim());
        push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        push(reader.f64());
        break;
      case 0x53: // STRING (text repr)
        push(decodePythonStringRepr(line().trim(), corrupt));
        break;
      case 0x54: // BINSTRING: Python 2 str, decoded as latin-1 like pickle's encoding="latin1"
        push(latin1(readBytes(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        push(latin1(readBytes(u8())));
        break;
      case 0x42: // BINBYTES
        push(readBytes(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(readBytes(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        push(readBytes(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        push(readBytes(u64()).slice());
        break;
      case 0x56: // UNICODE (raw-unicode-escape line)
        push(
          line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, b?: string) =>
            String.fromCodePoint(Number.parseInt((a ?? b)!, 16)),
          ),
        );
        break;
      case 0x58: // BINUNICODE
        push(utf8(readBytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(utf8(readBytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        push(utf8(readBytes(u64())));
        break;
      case 0x29: // EMPTY_TUPLE
        push([]);
        break;
      case 0x74: {
        // TUPLE (popMark swaps the stack, so pop before pushing)
        const items = popMark();
        push(items);
        break;
      }
      case 0x85: // TUPLE1
        push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        push([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push([a, b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        push(items);
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
        push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map<unknown, unknown>();
        setItems(d, popMark());
        push(d);
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
        push(new Set());
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
        push(new Set(items));
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
        memoPut(memoSize());
        break;
      case 0x67: // GET (text)
        push(memoGet(decodeMemoIndex(line(), corrupt)));
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(resolve(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw corrupt("STACK_GLOBAL needs two strings");
        }
        push(resolve(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const f = callable(pop(), "REDUCE");
        if (!Array.isArray(args)) throw corrupt(`REDUCE of ${f.module}.${f.name} without a tuple`);
        push(invoke(`${f.module}.${f.name}`, () => f.call(args)));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = callable(pop(), "NEWOBJ");
        if (!Array.isArray(args))
          throw corrupt(`NEWOBJ of ${cls.module}.${cls.name} without a tuple`);
        push(invoke(`${cls.module}.${cls.name}`, () => cls.call(args)));
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
        push(invoke(`${cls.module}.${cls.name}`, () => cls.call(args)));
        break;
      }
      case 0x69: {
        // INST: the class goes through the same allowlist as GLOBAL
        const module = line();
        const name = line();
        const cls = resolve(module, name);
        const args = popMark();
        push(invoke(`${module}.${name}`, () => cls.call(args)));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = callable(items.shift(), "OBJ");
        push(invoke(`${cls.module}.${cls.name}`, () => cls.call(items)));
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
        push(persistent(pop()));
        break;
      case 0x50: // PERSID
        push(persistent(line()));
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
          offset: reader.opStart,
        });
      }
      default:
        throw new UnsupportedFormatError({
          source,
          firstBytes: hexPrefix(bytes),
          detail:
            `pickle opcode 0x${op.toString(16).padStart(2, "0")} at offset ${reader.opStart} is not ` +
            "supported by this reader (out-of-band buffers or an unknown protocol). " +
            "Re-save the weights with torch.save(model.state_dict(), path) or as .safetensors.",
        });
    }
  }
}
