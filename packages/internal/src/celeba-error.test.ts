import { describe, expect, it } from "vitest";
import { CelebaError, errorMarker } from "./celeba-error";

class PkgError extends CelebaError {
  static override readonly marker = errorMarker("test", "PkgError");
}
class LeafError extends PkgError {
  static override readonly marker = errorMarker("test", "LeafError");
  readonly detail: string;
  constructor(init: { detail: string }) {
    super({ message: `bad: ${init.detail}` });
    this.detail = init.detail;
  }
}
class OtherError extends PkgError {
  static override readonly marker = errorMarker("test", "OtherError");
}

describe("CelebaError", () => {
  it("marks an instance with every class of its chain, and names it after its marker", () => {
    const e = new LeafError({ detail: "x" });
    expect(e.name).toBe("LeafError");
    expect(e.message).toBe("bad: x");
    expect(LeafError.isInstance(e)).toBe(true);
    expect(PkgError.isInstance(e)).toBe(true);
    expect(CelebaError.isInstance(e)).toBe(true);
    expect(OtherError.isInstance(e)).toBe(false);
    expect(LeafError.isInstance(new OtherError({ message: "m" }))).toBe(false);
  });

  it("recognises a copy of the class from another bundle by its marker alone", () => {
    // A second, unrelated class with the same marker stands for the other build's copy.
    class CopyOfLeaf extends CelebaError {
      static override readonly marker = errorMarker("test", "LeafError");
    }
    const fromCopy = new CopyOfLeaf({ message: "m" });
    expect(fromCopy instanceof LeafError).toBe(false);
    expect(LeafError.isInstance(fromCopy)).toBe(true);
  });

  it("rejects non-errors and keeps the cause", () => {
    for (const v of [null, undefined, 1, "LeafError", {}, new Error("x")]) {
      expect(PkgError.isInstance(v)).toBe(false);
    }
    const cause = new Error("inner");
    expect(new PkgError({ message: "m", cause }).cause).toBe(cause);
    // The markers stay out of enumeration (console output, toEqual, JSON).
    expect(Object.keys(new PkgError({ message: "m" }))).toEqual(["name"]);
  });
});
