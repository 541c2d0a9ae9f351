import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { EXPECTED, WEIGHTS_FIXTURES } from "../../test/weights-fixtures";
import { CorruptWeightsError, UnsafePickleError, UnsupportedFormatError } from "../weights-errors";
import { PickleCallable } from "./pickle-callable";
import { resolveTorchGlobal } from "./pickle-torch";
import { unpickle } from "./pickle-vm";
import { readStateDict } from "./read-state-dict";

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(
    parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : p)),
  );
const plain = { source: "<test>", resolveGlobal: () => undefined };
const run = (b: Uint8Array) => unpickle(b, 0, plain).value;

describe("malicious pickles are refused and nothing runs", () => {
  // Each fixture would run `touch <pwned_path>` (or exec() creating it) in a real unpickler.
  beforeEach(() => rmSync(EXPECTED.pwned_path, { force: true }));

  it.each([
    ["evil-legacy-posix-system.pth", "posix", "system"],
    ["evil-legacy-builtins-exec.pth", "builtins", "exec"],
    ["evil-zip-os-system.pth", "os", "system"],
    ["evil-zip-posix-system.pth", "posix", "system"],
  ])("%s → unsafe pickle: global %s.%s", async (file, module, name) => {
    const err = await readStateDict(join(WEIGHTS_FIXTURES, file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafePickleError);
    const e = err as UnsafePickleError;
    expect(e.message).toContain(`unsafe pickle: global ${module}.${name} is not allowed`);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/nothing was executed.*torch\.save\(model\.state_dict\(\), path\)/s);
    expect([e.module, e.qualname]).toEqual([module, name]);
    expect(existsSync(EXPECTED.pwned_path)).toBe(false);
  });

  it("refuses the raw os.system pickle at the GLOBAL opcode (offset 2)", () => {
    const b = new Uint8Array(readFileSync(join(WEIGHTS_FIXTURES, "evil-os-system.pkl")));
    const opts = { source: "evil", resolveGlobal: resolveTorchGlobal };
    expect(() => unpickle(b, 0, opts)).toThrow(
      /global os\.system is not allowed \(in evil, pickle offset 2\)/,
    );
    expect(existsSync(EXPECTED.pwned_path)).toBe(false);
  });

  it.each([
    ["torch.load", "torch", "load"],
    ["torch.storage._load_from_bytes", "torch.storage", "_load_from_bytes"],
    ["numpy reconstruct", "numpy.core.multiarray", "_reconstruct"],
    ["subprocess", "subprocess", "Popen"],
    ["getattr", "builtins", "getattr"],
    ["an unknown torch storage-like name", "torch", "EvilStorage"],
  ])("the allowlist refuses %s", (_label, module, name) => {
    expect(resolveTorchGlobal(module, name)).toBeUndefined();
  });

  it("refuses copyreg extension codes, which can name any global", () => {
    expect(() => run(bytes([0x80, 2, 0x82, 7], "."))).toThrow(UnsafePickleError);
  });

  it("refuses persistent ids when no loader is given", () => {
    expect(() => run(bytes([0x80, 2], "N", [0x51], "."))).toThrow(UnsafePickleError);
  });

  it("never calls a non-callable value (REDUCE on a string)", () => {
    expect(() => run(bytes([0x80, 2, 0x8c, 1], "x)R."))).toThrow(
      /REDUCE on a value that is not a callable global/,
    );
  });
});

describe("pickle VM semantics", () => {
  it("protocol 0 text opcodes", () => {
    // [1, -2, 'ab', 1.5, True, None, 123456789012345678901234567890, {'k': (1,)}]
    const p = bytes(
      "(lp0\nI1\naI-2\naS'ab'\np1\naF1.5\naI01\naNaL123456789012345678901234567890L\na",
      "(dp2\nVk\np3\n(I1\ntp4\nsa.",
    );
    expect(run(p)).toEqual([
      1,
      -2,
      "ab",
      1.5,
      true,
      null,
      123456789012345678901234567890n,
      new Map([["k", [1]]]),
    ]);
  });

  it("memo GET returns the same object", () => {
    // a = []; [a, a] with BINPUT/BINGET
    const v = run(bytes([0x80, 2], "]q", [0], "h", [0], [0x86], ".")) as unknown[][];
    expect(v[0]).toBe(v[1]);
  });

  it("LONG1 negative numbers and BINFLOAT", () => {
    expect(run(bytes([0x80, 2, 0x8a, 1, 0xff], "."))).toBe(-1);
    expect(run(bytes([0x80, 2, 0x8a, 0], "."))).toBe(0);
    expect(run(bytes([0x80, 2, 0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], "."))).toBe(1.5);
  });

  it("protocol 4 framing, SHORT_BINUNICODE, MEMOIZE, sets", () => {
    const body = bytes(
      [0x8f, 0x94, 0x28, 0x4b, 1, 0x4b, 2, 0x90, 0x8c, 2],
      "hi",
      [0x94, 0x86],
      ".",
    );
    const frame = bytes([0x80, 4, 0x95, body.length, 0, 0, 0, 0, 0, 0, 0]);
    expect(run(new Uint8Array([...frame, ...body]))).toEqual([new Set([1, 2]), "hi"]);
  });

  it("calls allowlisted globals only through their JavaScript builders", () => {
    const seen: unknown[] = [];
    const opts = {
      source: "t",
      resolveGlobal: (m: string, n: string) =>
        m === "ok" ? new PickleCallable(m, n, (args) => seen.push(args) && "built") : undefined,
    };
    expect(unpickle(bytes([0x80, 2], "cok\nf\nK", [5, 0x85], "R."), 0, opts).value).toBe("built");
    expect(seen).toEqual([[5]]);
  });

  it("reports unsupported opcodes with their offset", () => {
    expect(() => run(bytes([0x80, 5, 0x97], "."))).toThrow(UnsupportedFormatError);
    expect(() => run(bytes([0x80, 5, 0x97], "."))).toThrow(/opcode 0x97 at offset 2/);
  });

  it("reports truncation, stack underflow and unknown memo keys as corrupt", () => {
    expect(() => run(bytes([0x80, 2, 0x58, 10, 0, 0, 0], "abc"))).toThrow(CorruptWeightsError);
    expect(() => run(bytes([0x80, 2], "t."))).toThrow(/MARK expected/);
    expect(() => run(bytes([0x80, 2], "R."))).toThrow(/stack underflow/);
    expect(() => run(bytes([0x80, 2, 0x68, 9], "."))).toThrow(/memo key 9 is not defined/);
  });

  it("names malformed torch builder arguments with the pickle offset", () => {
    // _rebuild_tensor_v2 called with a string instead of a storage.
    const p = bytes(
      "ctorch._utils\n_rebuild_tensor_v2\n(X",
      [1, 0, 0, 0],
      "sK",
      [0],
      ")))NNt",
      "R.",
    );
    expect(() => unpickle(p, 0, { source: "t", resolveGlobal: resolveTorchGlobal })).toThrow(
      /pickle offset \d+: torch\._utils\._rebuild_tensor_v2: _rebuild_tensor storage must be a storage/,
    );
  });
});
