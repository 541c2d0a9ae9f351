import { describe, expect, it } from "vitest";
import { formatValue } from "./format-value";

describe("formatValue", () => {
  it("tells types apart: strings quoted, -0 kept, bigint marked", () => {
    expect(formatValue("1")).toBe('"1"');
    expect(formatValue(1)).toBe("1");
    expect(formatValue(-0)).toBe("-0");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(3n)).toBe("3n");
    expect(formatValue(true)).toBe("true");
    expect(formatValue(null)).toBe("null");
    expect(formatValue(undefined)).toBe("undefined");
    expect(formatValue(Symbol("s"))).toBe("Symbol(s)");
    expect(formatValue(function named() {})).toBe("function named");
    expect(formatValue(true, { typed: true })).toBe("true (boolean)");
    expect(formatValue(null, { typed: true })).toBe("null (null)");
    expect(formatValue("1", { typed: true })).toBe('"1"');
    expect(formatValue(1, { typed: true })).toBe("1");
  });

  it("shows binary data by type and length, never its contents", () => {
    expect(formatValue(new Uint8Array(5))).toBe("Uint8Array(length 5)");
    expect(formatValue(new Float32Array(3))).toBe("Float32Array(length 3)");
    expect(formatValue(new DataView(new ArrayBuffer(4)))).toBe("DataView(length 4)");
    expect(formatValue(new ArrayBuffer(8))).toBe("ArrayBuffer(8 bytes)");
  });

  it("shows arrays and objects, cut to about maxLength", () => {
    expect(formatValue([1, "a", [2]])).toBe('[1, "a", [2]]');
    expect(formatValue({ width: 0 })).toBe('{"width":0}');
    expect(formatValue(new Map([[1, 2]]))).toBe("Map(size 1)");
    const long = formatValue(Array.from({ length: 100 }, (_, i) => i));
    expect(formatValue("abcdef", { maxLength: 3 })).toBe('"abc"… (6 characters)');
    expect(long.length).toBeLessThan(100);
    expect(long).toMatch(/^\[0, 1, .*… \(100 items\)\]$/);
    expect(formatValue("x".repeat(200))).toBe(`"${"x".repeat(80)}"… (200 characters)`);
    expect(formatValue({ s: "y".repeat(200) }).length).toBe(80);
  });

  it("never throws: circular objects and throwing getters", () => {
    const circular: { self?: unknown } = {};
    circular.self = circular;
    expect(formatValue(circular)).toBe("[object Object]");
    const hostile = {
      toJSON() {
        throw new Error("no");
      },
      toString() {
        throw new Error("no");
      },
    };
    expect(formatValue(hostile)).toBe("(a value that cannot be shown)");
    class Point {
      x = 1;
    }
    expect(formatValue(new Point())).toBe('Point {"x":1}');
  });
});
