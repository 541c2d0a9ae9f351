import { describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { oneOf, parsePositiveNumber, parseSize } from "./flag-values";

describe("flag values", () => {
  it("parses sizes as width x height", () => {
    expect(parseSize("image-size", "178x218")).toEqual({ width: 178, height: 218 });
    expect(parseSize("image-size", " 8x8 ")).toEqual({ width: 8, height: 8 });
  });

  it.each(["178", "7x8", "178x-218", "axb", "178X218"])("refuses the size %j", (value) => {
    expect(() => parseSize("image-size", value)).toThrow(CliError);
    expect(() => parseSize("image-size", value)).toThrow(
      `--image-size "${value}" is not valid: give WIDTHxHEIGHT in pixels, at least 8x8, e.g. 178x218.`,
    );
  });

  it("takes a positive number and names the flag of anything else", () => {
    expect(parsePositiveNumber("lr", "2e-3")).toBe(0.002);
    for (const value of ["0", "-1", "", " ", "fast", "Infinity"]) {
      expect(() => parsePositiveNumber("lr", value)).toThrow(
        `--lr "${value}" is not valid: give a positive number, e.g. 0.002.`,
      );
    }
  });

  it("takes one of the choices and lists them all otherwise", () => {
    expect(oneOf("engine", "tfjs", ["tfjs", "onnxruntime"] as const)).toBe("tfjs");
    expect(() => oneOf("engine", "torch", ["tfjs", "onnxruntime"] as const)).toThrow(
      '--engine "torch" is not valid: choose one of tfjs, onnxruntime.',
    );
  });
});
