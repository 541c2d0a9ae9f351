import { describe, expect, it } from "vitest";
import { assertOneOf } from "./assert-one-of";
import type { InvalidOptionInit } from "./invalid-option-error";

class OptionError extends Error {
  constructor(readonly init: InvalidOptionInit) {
    super(init.hint);
  }
}

describe("assertOneOf", () => {
  it("accepts a choice and throws the given class, listing the choices, for anything else", () => {
    expect(() => assertOneOf(OptionError, "mode", "a", ["a", "b"])).not.toThrow();
    for (const [choices, hint] of [
      [["a"], '"a"'],
      [["a", "b"], '"a" or "b"'],
      [["a", "b", "c"], '"a", "b" or "c"'],
    ] as const) {
      try {
        assertOneOf(OptionError, "mode", 3, choices);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(OptionError);
        expect((e as OptionError).init).toEqual({ option: "mode", value: 3, hint });
      }
    }
  });
});
