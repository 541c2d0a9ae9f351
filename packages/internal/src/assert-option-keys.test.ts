import { describe, expect, it } from "vitest";
import { assertOptionKeys } from "./assert-option-keys";
import type { InvalidOptionInit } from "./invalid-option-error";

class TestOptionError extends Error {
  readonly init: InvalidOptionInit;
  constructor(init: InvalidOptionInit) {
    super(init.hint);
    this.init = init;
  }
}

const wording = { option: "widget option", hint: "Remove or rename it." };

function thrown(options: unknown): InvalidOptionInit | undefined {
  try {
    assertOptionKeys(TestOptionError, options, ["width", "height"], wording);
  } catch (error) {
    return (error as TestOptionError).init;
  }
  return undefined;
}

describe("assertOptionKeys", () => {
  it("accepts an object of known keys, including an empty one", () => {
    expect(thrown({ width: 1, height: 2 })).toBeUndefined();
    expect(thrown({})).toBeUndefined();
  });

  it("names the first unknown key and lists the accepted ones", () => {
    expect(thrown({ width: 1, hieght: 2, depth: 3 })).toEqual({
      option: "widget option",
      value: "hieght",
      hint: "Remove or rename it.",
      validChoices: ["width", "height"],
    });
  });

  it("refuses a non-object", () => {
    for (const value of [null, undefined, 3, "width"]) {
      expect(thrown(value)).toEqual({
        option: "options",
        value,
        hint: "Pass an options object, e.g. {}.",
      });
    }
  });
});
