import { CorruptWeightsError } from "../weights-errors";

// Reading a pickle stream's bytes: fixed-size integers, length-prefixed bytes, text lines, and
// the decoders of pickle's text encodings, each failing with a CorruptWeightsError that names
// the file and the offset of the opcode being read.

const textDecoder = new TextDecoder("utf-8", { fatal: true });

export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** Decode a little-endian two's-complement integer (LONG1/LONG4). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

export function decodeTextInt(
  s: string,
  corrupt: (d: string) => CorruptWeightsError,
): number | bigint {
  if (!/^[-+]?\d+$/.test(s)) throw corrupt(`bad integer literal ${JSON.stringify(s)}`);
  const v = BigInt(s);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

export function decodeMemoIndex(s: string, corrupt: (d: string) => CorruptWeightsError): number {
  const v = decodeTextInt(s.trim(), corrupt);
  if (typeof v !== "number" || v < 0) throw corrupt(`bad memo index ${s}`);
  return v;
}

/** Decode protocol 0's `STRING` argument, a Python 2 `repr` of a byte string. */
export function decodePythonStringRepr(
  s: string,
  corrupt: (d: string) => CorruptWeightsError,
): string {
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

/**
 * A cursor over a pickle stream. Its methods are arrow functions, so the VM can take them
 * apart (`const { u8 } = reader`). Internal.
 */
export class PickleReader {
  /** The offset of the next byte to read. */
  pos: number;
  /** The offset of the opcode being decoded, for error messages. */
  opStart: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.opStart = start;
  }

  /** A CorruptWeightsError at the current opcode. */
  readonly corrupt = (detail: string): CorruptWeightsError =>
    new CorruptWeightsError({
      source: this.source,
      detail: `pickle offset ${this.opStart}: ${detail}`,
    });

  /** Marks the start of the next opcode. */
  readonly startOp = (): void => {
    this.opStart = this.pos;
  };

  readonly need = (n: number): void => {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw this.corrupt(`needs ${n} more bytes but the file ends at ${this.bytes.length}`);
    }
  };
  readonly readBytes = (n: number): Uint8Array => {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  };
  /** The `n`-byte number `read` decodes at the cursor. */
  private fixed<T>(n: number, read: (view: DataView, at: number) => T): T {
    this.need(n);
    const v = read(this.view, this.pos);
    this.pos += n;
    return v;
  }
  readonly u8 = (): number => this.fixed(1, (v, at) => v.getUint8(at));
  readonly u16 = (): number => this.fixed(2, (v, at) => v.getUint16(at, true));
  readonly u32 = (): number => this.fixed(4, (v, at) => v.getUint32(at, true));
  /** A little-endian int32 (BININT). */
  readonly i32 = (): number => this.fixed(4, (v, at) => v.getInt32(at, true));
  /** A big-endian float64 (BINFLOAT). */
  readonly f64 = (): number => this.fixed(8, (v, at) => v.getFloat64(at, false));
  readonly u64 = (): number => {
    const v = this.fixed(8, (view, at) => view.getBigUint64(at, true));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`length ${v} is too large`);
    return Number(v);
  };
  readonly line = (): string => {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.corrupt("unterminated text line");
    const s = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  };
  readonly utf8 = (b: Uint8Array): string => {
    try {
      return textDecoder.decode(b);
    } catch {
      throw this.corrupt("string is not valid UTF-8");
    }
  };
}
