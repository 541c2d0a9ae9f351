import { describe, expect, it } from "vitest";
import { CommandContext } from "./command-context";
import { parseCliArgs } from "./parse-cli-args";

const OPTIONS = {
  out: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  force: { type: "boolean" },
} as const;

const fails = (argv: string[]) => {
  try {
    parseCliArgs(argv, OPTIONS);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a failure");
};

describe("parseCliArgs", () => {
  it("names an unknown flag and suggests the nearest one, not Node's advice about positionals", () => {
    const text = fails(["train", "--epoch", "3"]);
    expect(text).toBe(
      'unknown option --epoch (did you mean --epochs?). Run "reference --help" for the options.',
    );
    expect(fails(["--zzz"])).not.toMatch(/positional|did you mean/);
  });

  it("hands a negative number to the flag, so its own check explains what is valid", () => {
    const { values } = parseCliArgs(["train", "--epochs", "-1"], OPTIONS);
    expect(values.epochs).toBe("-1");
    const ctx = new CommandContext("train", values, () => {});
    expect(() => ctx.int("epochs", 12)).toThrow(
      '--epochs "-1" is not valid: give a positive integer.',
    );
  });

  it("says when a flag lacks its value or a switch is given one", () => {
    expect(fails(["--out"])).toMatch(/^--out needs a value\./);
    expect(fails(["--force=yes"])).toMatch(/^--force is a switch and takes no value\./);
    expect(fails(["--out", "-x"])).toMatch(/--out needs a value, .*write --out=VALUE/);
  });
});

describe("CommandContext.int", () => {
  it.each(["0x10", "1e1", "16.0", " 16", "+16", ""])("takes only decimal digits, not %j", (raw) => {
    const ctx = new CommandContext("train", { "batch-size": raw }, () => {});
    expect(() => ctx.int("batch-size", 32)).toThrow(
      /--batch-size .* is not valid: give a positive integer/,
    );
  });

  it("takes plain decimals", () => {
    expect(
      new CommandContext("train", { "batch-size": "16" }, () => {}).int("batch-size", 32),
    ).toBe(16);
  });
});
